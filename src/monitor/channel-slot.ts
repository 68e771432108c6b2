import type { Logger } from '../log/logger.js';
import { fullJitterBackoff } from '../net/backoff.js';
import type { Timer } from '../time/clock.js';
import { upstreamStatusOf, type NotificationChannel } from '../upstream/genesys-notifications-client.js';
import { channelLifetimeMs, retire, type Connection, type Live, type SlotDeps } from './channel-slot-state.js';
import type { ReconnectReason } from './monitor-metrics.js';
import { parseFrame, type ChannelSystemFrame } from './notification-frame.js';

export type { SlotDeps } from './channel-slot-state.js';

const topicsKey = (topics: string[]) => topics.join('\n');

/**
 * One Notifications API channel and its socket, kept alive for a set of ≤ 1000 topics. All work goes
 * through one reconcile loop: events (socket closed, silence, socket_closing, no_longer_subscribed,
 * token_revoked, token rotation, expiry, topic changes) only record what is wanted and kick the loop,
 * so no two operations race. A socket is replaced make-before-break: the new one is open and
 * subscribed before the old one is closed.
 */
export class ChannelSlot {
  private topics: string[] = [];
  private live?: Live;
  /** Set when the current socket must be replaced, with the reason. */
  private wanted?: ReconnectReason;
  private refreshDue = false;
  private attempt = 0;
  private retryTimer?: Timer;
  private running = false;
  private rerun = false;
  private stopped = false;
  private readonly log: Logger;

  constructor(private readonly deps: SlotDeps) {
    this.log = deps.logger.child({ module: 'monitor/channel' });
  }

  get topicList(): readonly string[] {
    return this.topics;
  }

  /** True while a subscribed socket is open. */
  get open(): boolean {
    return this.live !== undefined && !this.live.conn.closed;
  }

  get channelId(): string | undefined {
    return this.live?.channel.id;
  }

  setTopics(topics: string[]): void {
    this.topics = [...topics];
    this.kick();
  }

  /** Replaces the socket with one on a new channel (after a token rotation, say). */
  renew(reason: ReconnectReason): void {
    this.wanted = reason;
    this.kick();
  }

  /** Cancels timers and closes the socket; resolves once it is closed. */
  stop(): Promise<void> {
    this.stopped = true;
    this.retryTimer?.cancel();
    this.retryTimer = undefined;
    return this.teardown();
  }

  private kick(): void {
    void this.reconcile();
  }

  private async reconcile(): Promise<void> {
    if (this.running) {
      this.rerun = true;
      return;
    }
    this.running = true;
    try {
      do {
        this.rerun = false;
        await this.step();
      } while (this.rerun && !this.stopped);
    } catch (err) {
      this.log.error('notification channel loop failed unexpectedly', { err });
    } finally {
      this.running = false;
    }
  }

  private async step(): Promise<void> {
    if (this.stopped || this.topics.length === 0) return void this.teardown();
    if (this.retryTimer) return; // backing off; the timer kicks again
    if (!this.live || this.live.conn.closed || this.wanted) return this.connect(this.wanted ?? (this.live ? 'socket_closed' : undefined));
    if (this.refreshDue || this.live.restoreDue || this.live.subscribed !== topicsKey(this.topics)) return this.resubscribe(this.live);
  }

  private async connect(reason: ReconnectReason | undefined): Promise<void> {
    const { client, connector } = this.deps;
    const previous = this.live;
    if (previous) previous.conn.retiring = true;
    let conn: Connection | undefined;
    try {
      let channel: NotificationChannel | undefined;
      // After a drop or a silent socket the channel (and its subscriptions) may live on: reuse it then,
      // which spares the 20-channels-per-client quota. Rollovers always take a new channel, and so does
      // a channel that lost its subscriptions (Genesys' own client never reuses one: see onSystemFrame).
      const reusable = previous && (reason === 'socket_closed' || reason === 'heartbeat_timeout') && previous.subscriptionsLost === 0;
      if (reusable && (await client.channelExists(previous.channel.id))) channel = previous.channel;
      channel ??= await client.createChannel();
      if (this.stopped) return;
      const socket = await connector.connect(channel.connectUri);
      conn = { socket, channelId: channel.id, closed: false, retiring: false };
      this.listen(conn);
      if (this.stopped) return void socket.close();
      const topics = [...this.topics];
      // Subscribing once the socket is open means no event published after the PUT can miss us.
      await client.replaceSubscriptions(channel.id, topics);
      if (this.stopped) return void socket.close();
      if (conn.closed) throw new Error('the new socket closed while subscribing');
      const reused = channel === previous?.channel;
      const lifetimeMs = reused ? previous.lifetimeMs : channelLifetimeMs(channel, this.deps.clock.now());
      const live: Live = { channel, conn, subscribed: topicsKey(topics), lifetimeMs, timers: {}, subscriptionsLost: 0, restoreDue: false };
      this.live = live;
      this.wanted = undefined;
      this.refreshDue = false;
      this.attempt = 0;
      this.armWatchdog(live);
      this.scheduleRefresh(live, lifetimeMs); // the PUT above started the 24 h again
      if (previous) void retire(previous, previous.conn !== conn);
      if (reason) this.deps.metrics.reconnected(reason);
      this.log.info(reason ? 'notification socket replaced' : 'notification socket open', {
        channelId: channel.id,
        reason: reason ?? 'connect',
        topics: topics.length,
        reusedChannel: reused,
      });
      this.deps.onSubscribed({ channelId: channel.id, topics: topics.length });
      this.deps.onConnected({ channelId: channel.id, reason: reason ?? 'connect', topics: topics.length });
    } catch (err) {
      if (conn && !conn.closed) void conn.socket.close();
      this.wanted = reason ?? this.wanted;
      this.backOff('notification channel could not be opened', err, { reason: reason ?? 'connect' });
    }
  }

  private async resubscribe(live: Live): Promise<void> {
    const topics = [...this.topics];
    // A no_longer_subscribed that arrives while this PUT is in flight may postdate it: it stays due.
    const restoring = live.restoreDue;
    try {
      await this.deps.client.replaceSubscriptions(live.channel.id, topics);
      if (this.live !== live) return;
      const refreshed = this.refreshDue;
      live.subscribed = topicsKey(topics);
      this.refreshDue = false;
      if (restoring) live.restoreDue = false;
      this.attempt = 0;
      // Any subscribe call starts the channel's 24 h again.
      this.scheduleRefresh(live, live.lifetimeMs);
      const message = restoring
        ? 'notification channel subscribed again after Genesys dropped its subscriptions'
        : refreshed
          ? 'notification channel re-subscribed before it expires'
          : 'notification subscriptions updated';
      this.log.info(message, { channelId: live.channel.id, topics: topics.length });
      this.deps.onSubscribed({ channelId: live.channel.id, topics: topics.length });
      if (restoring) this.deps.onRestored({ channelId: live.channel.id, topics: topics.length });
    } catch (err) {
      if (this.live !== live) return;
      if (upstreamStatusOf(err) === 404) {
        this.log.warn('notification channel is gone; opening a new one', { channelId: live.channel.id });
        this.wanted = 'channel_gone';
        this.rerun = true;
        return;
      }
      this.backOff('notification subscriptions could not be updated', err, { channelId: live.channel.id });
    }
  }

  private listen(conn: Connection): void {
    conn.socket.onMessage((text) => {
      const frame = parseFrame(text);
      if (this.live?.conn === conn) this.armWatchdog(this.live);
      if (!frame) return;
      this.deps.metrics.frame(frame.kind);
      if (frame.kind === 'socket_closing' && this.live?.conn === conn && !this.stopped) {
        this.log.info('Genesys announced the socket is closing; rolling over to a new channel', { channelId: this.live.channel.id });
        this.renew('socket_closing');
      }
      if (frame.kind === 'no_longer_subscribed' || frame.kind === 'token_revoked') this.onSystemFrame(conn, frame);
      this.deps.onFrame(frame);
    });
    conn.socket.onClose((code) => {
      conn.closed = true;
      if (this.live?.conn !== conn || conn.retiring || this.stopped) return;
      this.log.warn('notification socket closed; reconnecting', { channelId: this.live.channel.id, code });
      this.kick();
    });
  }

  /**
   * `no_longer_subscribed`: subscribe again; a second time on the same channel, replace it (Genesys'
   * own streaming client never reuses such a channel: github.com/purecloudlabs/genesys-cloud-streaming-client
   * src/client.ts). `token_revoked`: the channel dies with its token, so move to a new one made now
   * (a refused token gets the broker's one re-auth). Only a frame about this socket's live channel counts.
   */
  private onSystemFrame(conn: Connection, frame: ChannelSystemFrame): void {
    if (this.stopped) return;
    const named = frame.channelId ?? conn.channelId;
    const fields = { channelId: named, topicName: frame.topicName, ...(frame.reason ? { reason: frame.reason } : {}) };
    if (named !== conn.channelId) {
      this.log.warn(`Genesys sent ${frame.kind} for another channel than the socket's; ignored`, {
        ...fields,
        socketChannelId: conn.channelId,
      });
      return;
    }
    const live = this.live;
    if (!live || live.conn !== conn) {
      this.log.info(`Genesys sent ${frame.kind} for a channel already being replaced; nothing more to do`, fields);
      return;
    }
    if (frame.kind === 'token_revoked') {
      this.log.warn('Genesys revoked the token of the notification channel; moving its topics to a new channel', fields);
      this.renew('token_revoked');
      return;
    }
    live.subscriptionsLost++;
    if (live.subscriptionsLost > 1) {
      this.log.warn('notification channel lost its subscriptions again; moving its topics to a new channel', {
        ...fields,
        times: live.subscriptionsLost,
      });
      this.renew('no_longer_subscribed');
      return;
    }
    this.log.warn('Genesys says the notification channel is no longer subscribed; subscribing its topics again', fields);
    live.restoreDue = true;
    this.kick();
  }

  /** Pings after a silence, gives the socket up after a longer one. Re-armed by every frame. */
  private armWatchdog(live: Live): void {
    const { clock, tuning } = this.deps;
    live.timers.ping?.cancel();
    live.timers.dead?.cancel();
    live.timers.ping = clock.setTimer(tuning.pingAfterMs, () => live.conn.socket.send('{"message":"ping"}'));
    live.timers.dead = clock.setTimer(tuning.heartbeatTimeoutMs, () => {
      if (this.live !== live || this.stopped) return;
      this.log.warn('no heartbeat from the notification socket; reconnecting', {
        channelId: live.channel.id,
        silentMs: tuning.heartbeatTimeoutMs,
      });
      this.renew('heartbeat_timeout');
    });
  }

  private scheduleRefresh(live: Live, leftMs: number): void {
    const margin = this.deps.tuning.resubscribeBeforeExpiryMs;
    live.timers.refresh?.cancel();
    const inMs = leftMs > 2 * margin ? leftMs - margin : leftMs / 2;
    live.timers.refresh = this.deps.clock.setTimer(inMs, () => {
      if (this.live !== live) return;
      this.refreshDue = true;
      this.kick();
    });
  }

  private backOff(message: string, err: unknown, fields: Record<string, unknown>): void {
    if (this.stopped) return;
    this.attempt++;
    // The first try after a drop was immediate; retries spread out with full jitter.
    const delay = fullJitterBackoff(this.attempt, this.deps.tuning.reconnectBackoff, this.deps.random);
    this.log.warn(`${message}; retrying`, { ...fields, err, attempt: this.attempt, retryInMs: delay });
    this.retryTimer = this.deps.clock.setTimer(delay, () => {
      this.retryTimer = undefined;
      this.kick();
    });
  }

  private teardown(): Promise<void> {
    const live = this.live;
    this.live = undefined;
    return live ? retire(live, true) : Promise.resolve();
  }
}
