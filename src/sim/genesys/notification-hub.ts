import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { ChannelRegistry, SimChannel } from './channel-registry.js';
import type { GenesysSimStats } from './sim-stats.js';
import type { TrunkStore } from './trunk-store.js';
import type { GenesysNotificationFrame, GenesysTrunk } from './wire-types.js';

export const TRUNK_TOPIC_PREFIX = 'v2.telephony.providers.edges.trunks.';
const HOUSEKEEPING_MS = 1_000;

/** Heartbeat behaviour; `enabled: false` models a stalled stream (no heartbeats, no pongs). */
export interface HeartbeatSettings {
  enabled: boolean;
  intervalMs: number;
}

/**
 * The websocket side of the Notifications API: one socket per channel at `/channels/{id}` on the
 * simulator's own HTTP server, heartbeats, `{"message":"ping"}` answered with a pong, trunk events
 * pushed to subscribed sockets, and the faults a client must survive (socket_closing, drops, silence,
 * channel expiry). Frame shapes follow the Genesys "Notifications" guide and the SDK models.
 */
export class NotificationHub {
  private readonly wss = new WebSocketServer({ noServer: true, clientTracking: false });
  private readonly sockets = new Map<string, WebSocket>();
  private heartbeatTimer?: NodeJS.Timeout;
  private housekeepingTimer?: NodeJS.Timeout;
  private readonly closingTimers = new Set<NodeJS.Timeout>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly registry: ChannelRegistry,
    trunks: TrunkStore,
    private readonly stats: () => GenesysSimStats,
    readonly heartbeat: HeartbeatSettings,
  ) {
    const onChange = (trunk: GenesysTrunk) => this.publishTrunk(trunk);
    trunks.events.on('trunkChanged', onChange);
    this.unsubscribe = () => trunks.events.off('trunkChanged', onChange);
  }

  /** Serves websocket upgrades on `server` and starts heartbeats and housekeeping. */
  attach(server: Server): void {
    server.on('upgrade', (req, socket, head) => this.upgrade(req, socket, head));
    this.restartHeartbeats();
    this.housekeepingTimer = setInterval(() => this.sweep(), HOUSEKEEPING_MS).unref();
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
        eventBody: { channelId, systemTopicType: 'socket_closing', message: 'The socket is closing for maintenance; open a new one within a minute.' },
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

  /** Cuts every socket without a close frame (a network drop): clients see code 1006. */
  dropSockets(): number {
    const count = this.sockets.size;
    for (const ws of this.sockets.values()) ws.terminate();
    this.sockets.clear();
    return count;
  }

  /** Removes channels whose 24 h or token ended, closing their sockets. */
  sweep(): void {
    for (const { channel, reason } of this.registry.sweep()) this.closeChannel(channel, reason === 'expired' ? 'channel expired' : 'token expired or revoked');
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

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const match = /^\/channels\/([^/?#]+)$/.exec(new URL(req.url ?? '/', 'http://sim').pathname);
    this.sweep();
    const channel = match ? this.registry.get(decodeURIComponent(match[1]!)) : undefined;
    if (!channel) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.connected(channel, ws));
  }

  private connected(channel: SimChannel, ws: WebSocket): void {
    // One socket per channel: a second connection replaces the first (which one wins is unconfirmed).
    this.sockets.get(channel.id)?.close(1000, 'replaced by a new connection');
    this.sockets.set(channel.id, ws);
    this.registry.touch(channel);
    this.stats().socketConnections++;
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
    const topicName = `${TRUNK_TOPIC_PREFIX}${trunk.id}`;
    const frame: GenesysNotificationFrame = {
      topicName,
      version: '2',
      eventBody: { id: trunk.id, connectedStatus: trunk.connectedStatus, optionsStatus: trunk.optionsStatus, registersStatus: trunk.registersStatus, ipStatus: trunk.ipStatus },
      metadata: { CorrelationId: randomUUID() },
    };
    for (const channel of this.registry.list()) {
      const ws = this.sockets.get(channel.id);
      if (!ws || !channel.topics.has(topicName)) continue;
      if (this.send(ws, frame)) this.stats().notificationsSent++;
    }
  }

  private restartHeartbeats(): void {
    clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
    if (!this.heartbeat.enabled) return;
    this.heartbeatTimer = setInterval(() => {
      for (const ws of this.sockets.values()) {
        if (this.send(ws, { topicName: 'channel.metadata', eventBody: { message: 'WebSocket Heartbeat' } })) this.stats().heartbeatsSent++;
      }
    }, this.heartbeat.intervalMs).unref();
  }

  private send(ws: WebSocket, frame: GenesysNotificationFrame): boolean {
    if (ws.readyState !== WebSocket.OPEN) return false;
    ws.send(JSON.stringify(frame));
    return true;
  }
}
