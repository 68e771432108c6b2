import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { ChannelRegistry, SimChannel } from './channel-registry.js';
import { TrunkEventShaper, type PartialEventSettings } from './partial-events.js';
import type { CounterField } from './sim-stats.js';
import type { TrunkStore } from './trunk-store.js';
import type { GenesysNotificationFrame, GenesysSystemMessage, GenesysTrunk } from './wire-types.js';

export const TRUNK_TOPIC_PREFIX = 'v2.telephony.providers.edges.trunks.';
const HOUSEKEEPING_MS = 1_000;

/** Heartbeat behaviour; `enabled: false` models a stalled stream (no heartbeats, no pongs). */
export interface HeartbeatSettings {
  enabled: boolean;
  intervalMs: number;
}

/** A system topic about one channel (Go SDK notification mappings: `v2.system.{kind}.{id}`). */
type ChannelSystemTopic = 'no_longer_subscribed' | 'token_revoked';

/**
 * The websocket side of the Notifications API: one socket per channel at `/channels/{id}` on the
 * simulator's own HTTP server, heartbeats, `{"message":"ping"}` answered with a pong, trunk events
 * pushed to subscribed sockets (full, or as patches), and the faults a client must survive
 * (socket_closing, no_longer_subscribed, token_revoked, drops, silence, channel expiry). Frame shapes
 * follow the Genesys "Notifications" guide and the SDK models.
 */
export class NotificationHub {
  private readonly wss = new WebSocketServer({ noServer: true, clientTracking: false });
  private readonly sockets = new Map<string, WebSocket>();
  private heartbeatTimer?: NodeJS.Timeout;
  private housekeepingTimer?: NodeJS.Timeout;
  private readonly closingTimers = new Set<NodeJS.Timeout>();
  private readonly shaper = new TrunkEventShaper();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly registry: ChannelRegistry,
    trunks: TrunkStore,
    /** Adds to one of the org's counters (and the simulator's). */
    private readonly count: (field: CounterField, n: number) => void,
    readonly heartbeat: HeartbeatSettings,
  ) {
    for (const trunk of trunks.list()) this.shaper.remember(trunk);
    const onChange = (trunk: GenesysTrunk) => this.publishTrunk(trunk);
    const onAdded = (trunk: GenesysTrunk) => this.shaper.remember(trunk);
    const onRemoved = (trunk: GenesysTrunk) => this.shaper.forget(trunk.id);
    trunks.events.on('trunkChanged', onChange);
    trunks.events.on('trunkAdded', onAdded);
    trunks.events.on('trunkRemoved', onRemoved);
    this.unsubscribe = () => {
      trunks.events.off('trunkChanged', onChange);
      trunks.events.off('trunkAdded', onAdded);
      trunks.events.off('trunkRemoved', onRemoved);
    };
  }

  get partialEvents(): PartialEventSettings {
    return this.shaper.settings;
  }

  setPartialEvents(settings: PartialEventSettings): void {
    this.shaper.settings = settings;
  }

  /** Starts heartbeats and housekeeping (the simulator's HTTP server hands this hub its sockets through `claim` and `accept`). */
  start(): void {
    this.restartHeartbeats();
    this.housekeepingTimer = setInterval(() => this.sweep(), HOUSEKEEPING_MS).unref();
  }

  /** The live channel with this id if it is this org's: the upgrade to `/channels/{id}` is then this hub's. */
  claim(channelId: string): SimChannel | undefined {
    this.sweep();
    return this.registry.get(channelId);
  }

  /** Completes the websocket upgrade of a channel `claim` returned. */
  accept(req: IncomingMessage, socket: Duplex, head: Buffer, channel: SimChannel): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => this.connected(channel, ws));
  }

  isConnected(channelId: string): boolean {
    return this.sockets.get(channelId)?.readyState === WebSocket.OPEN;
  }

  setHeartbeats(settings: Partial<HeartbeatSettings>): void {
    if (settings.enabled !== undefined) this.heartbeat.enabled = settings.enabled;
    if (settings.intervalMs !== undefined) this.heartbeat.intervalMs = settings.intervalMs;
    this.restartHeartbeats();
  }

  /** Sends `v2.system.socket_closing` to every open socket (or one channel's), then closes them after `graceMs`. */
  socketClosing(options: { channelId?: string; graceMs?: number } = {}): number {
    let warned = 0;
    for (const [channelId, ws] of this.sockets) {
      if (options.channelId !== undefined && channelId !== options.channelId) continue;
      this.send(ws, {
        topicName: 'v2.system.socket_closing',
        version: '2',
        eventBody: {
          channelId,
          systemTopicType: 'socket_closing',
          message: 'The socket is closing for maintenance; open a new one within a minute.',
        },
      });
      warned++;
      const timer = setTimeout(() => {
        this.closingTimers.delete(timer);
        ws.close(1001, 'socket closing');
      }, options.graceMs ?? 60_000).unref();
      this.closingTimers.add(timer);
    }
    return warned;
  }

  /**
   * Drops the subscriptions of every channel (or one) and sends `v2.system.no_longer_subscribed.{id}`
   * to its socket, if one is open. Returns how many channels lost their subscriptions.
   */
  noLongerSubscribed(options: { channelId?: string } = {}): number {
    const channels = this.registry.list().filter((c) => options.channelId === undefined || c.id === options.channelId);
    for (const channel of channels) {
      this.registry.dropSubscriptions(channel);
      this.sendSystem(channel, 'no_longer_subscribed', 'The channel is no longer subscribed to its topics.');
    }
    return channels.length;
  }

  /** Sends `v2.system.token_revoked.{id}` alone (the channel and its socket stay) to open sockets, all or one channel's. Returns how many. */
  tokenRevoked(options: { channelId?: string } = {}): number {
    let warned = 0;
    for (const channel of this.registry.list()) {
      if (options.channelId !== undefined && channel.id !== options.channelId) continue;
      if (this.sendSystem(channel, 'token_revoked', 'The token that created this channel was revoked.')) warned++;
    }
    return warned;
  }

  /** Sends a trunk topic event with any body to the sockets subscribed to that trunk; returns how many got it. */
  pushTrunkEvent(trunkId: string, eventBody: Record<string, unknown>): number {
    return this.publish({
      topicName: `${TRUNK_TOPIC_PREFIX}${trunkId}`,
      version: '2',
      eventBody,
      metadata: { CorrelationId: randomUUID() },
    });
  }

  /** Cuts every socket without a close frame (a network drop): clients see code 1006. */
  dropSockets(): number {
    const count = this.sockets.size;
    for (const ws of this.sockets.values()) ws.terminate();
    this.sockets.clear();
    return count;
  }

  /**
   * Removes channels whose 24 h or token ended, closing their sockets. A revoked token's channels are
   * told first with `v2.system.token_revoked.{id}`; that the socket is then closed is unconfirmed
   * (trunkgate copes either way; `tokenRevoked()` sends the frame alone).
   */
  sweep(): void {
    for (const { channel, reason } of this.registry.sweep()) {
      if (reason === 'token_revoked') this.sendSystem(channel, 'token_revoked', 'The token that created this channel was revoked.');
      this.closeChannel(channel, reason === 'expired' ? 'channel expired' : reason === 'token_revoked' ? 'token revoked' : 'token expired');
    }
  }

  /** Closes the socket of a channel that no longer exists. */
  closeChannel(channel: SimChannel, reason: string): void {
    const ws = this.sockets.get(channel.id);
    this.sockets.delete(channel.id);
    ws?.close(1000, reason);
  }

  close(): void {
    this.unsubscribe();
    clearInterval(this.heartbeatTimer);
    clearInterval(this.housekeepingTimer);
    for (const timer of this.closingTimers) clearTimeout(timer);
    this.closingTimers.clear();
    for (const ws of this.sockets.values()) ws.terminate();
    this.sockets.clear();
    this.wss.close();
  }

  private connected(channel: SimChannel, ws: WebSocket): void {
    // One socket per channel: a second connection replaces the first (which one wins is unconfirmed).
    this.sockets.get(channel.id)?.close(1000, 'replaced by a new connection');
    this.sockets.set(channel.id, ws);
    this.registry.touch(channel);
    this.count('socketConnections', 1);
    ws.on('message', (data) => this.received(ws, String(data)));
    ws.on('close', () => {
      if (this.sockets.get(channel.id) === ws) this.sockets.delete(channel.id);
    });
    ws.on('error', () => ws.terminate());
  }

  private received(ws: WebSocket, text: string): void {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    if ((message as { message?: unknown })?.message === 'ping' && this.heartbeat.enabled) {
      this.send(ws, { topicName: 'channel.metadata', eventBody: { message: 'pong' } });
    }
  }

  private publishTrunk(trunk: GenesysTrunk): void {
    this.publish({
      topicName: `${TRUNK_TOPIC_PREFIX}${trunk.id}`,
      version: '2',
      eventBody: this.shaper.next(trunk),
      metadata: { CorrelationId: randomUUID() },
    });
  }

  /** Sends a topic event to every socket whose channel is subscribed to the topic; returns how many. */
  private publish(frame: GenesysNotificationFrame & { topicName: string }): number {
    let sent = 0;
    for (const channel of this.registry.list()) {
      const ws = this.sockets.get(channel.id);
      if (!ws || !channel.topics.has(frame.topicName)) continue;
      if (this.send(ws, frame)) sent++;
    }
    this.count('notificationsSent', sent);
    return sent;
  }

  /** `v2.system.{kind}.{channelId}` with a `SystemMessageSystemMessage` body to the channel's socket, if open. */
  private sendSystem(channel: SimChannel, kind: ChannelSystemTopic, message: string): boolean {
    const ws = this.sockets.get(channel.id);
    if (!ws) return false;
    const eventBody: GenesysSystemMessage = {
      channelId: channel.id,
      systemTopicType: kind,
      correlationId: randomUUID(),
      oauthClientId: channel.clientId,
      reason: kind,
      message,
    };
    return this.send(ws, { topicName: `v2.system.${kind}.${channel.id}`, version: '2', eventBody });
  }

  private restartHeartbeats(): void {
    clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
    if (!this.heartbeat.enabled) return;
    this.heartbeatTimer = setInterval(() => {
      for (const ws of this.sockets.values()) {
        if (this.send(ws, { topicName: 'channel.metadata', eventBody: { message: 'WebSocket Heartbeat' } }))
          this.count('heartbeatsSent', 1);
      }
    }, this.heartbeat.intervalMs).unref();
  }

  private send(ws: WebSocket, frame: GenesysNotificationFrame): boolean {
    if (ws.readyState !== WebSocket.OPEN) return false;
    ws.send(JSON.stringify(frame));
    return true;
  }
}
