import { EventEmitter } from 'node:events';
import type { Registry } from 'prom-client';
import type { RotatedEvent } from '../credentials/token-types.js';
import type { Logger } from '../log/logger.js';
import type { Clock, Timer } from '../time/clock.js';
import type { TrunkSightingSink } from '../trunks/trunk-sighting.js';
import { refusalOfError } from '../upstream/genesys-permissions.js';
import type { NotificationsClient } from '../upstream/genesys-notifications-client.js';
import { WsSocketConnector, type NotificationSocketConnector } from '../upstream/notification-socket.js';
import { ChannelPool } from './channel-pool.js';
import { MonitorMetrics, type ReconnectReason } from './monitor-metrics.js';
import { watchedNotifications, type PermissionWatch } from './permission-watch.js';
import { DEFAULT_MONITOR_TUNING, type MonitorTuning } from './monitor-tuning.js';
import type { NotificationFrame } from './notification-frame.js';
import { TrunkPoller, type PollResult, type TrunkLister } from './trunk-poller.js';

/**
 * Why a poll ran: the interval, the start, a new socket or subscriptions Genesys had dropped set
 * again (events may have been lost either way), or a caller.
 */
export type PollReason = 'start' | 'interval' | 'reconnect' | 'resubscribed' | 'manual';

export interface MonitorEvents {
  poll: [report: PollResult & { reason: PollReason }];
  channelOpened: [info: { channelId: string; reason: ReconnectReason | 'connect'; topics: number }];
  subscribed: [info: { channelId: string; topics: number }];
}

/** What the monitor is doing, for status pages and readiness. */
export interface MonitorStatus {
  running: boolean;
  notifications: boolean;
  lastPoll: { at: string; ok: boolean; trunks: number } | null;
  channels: { channels: number; open: number; topics: number; openTopics: number };
}

/** Credentials as the monitor sees them: only their rotations matter. */
export interface RotationSource {
  on(event: 'rotated', listener: (e: RotatedEvent) => void): unknown;
}

export interface TrunkMonitorDeps {
  config: { monitor: { pollIntervalMs: number; notifications: boolean } };
  genesysClient: TrunkLister;
  notificationsClient: NotificationsClient;
  credentials: RotationSource;
  sink: TrunkSightingSink;
  clock: Clock;
  logger: Logger;
  registry: Registry;
  /** Default: real websockets (`ws`). */
  connector?: NotificationSocketConnector;
  /** Told whether Genesys allows each poll and subscription (missing permissions); default: none. */
  permissions?: PermissionWatch;
  tuning?: Partial<MonitorTuning>;
  random?: () => number;
  /** With several Genesys orgs: the org it watches (its metrics and logs carry it). */
  org?: string;
}

/**
 * Watches every EXTERNAL trunk: a full poll every `MONITOR_POLL_INTERVAL_MS`, and with
 * `MONITOR_NOTIFICATIONS` Notifications API channels that push each trunk's health as it changes.
 * Every (re)connected socket, and every channel subscribed again after `no_longer_subscribed`, triggers
 * a full re-poll, since events during a disconnect are lost.
 * `start()` / `stop()` are idempotent and may alternate (a leadership lease starts it on the leader only).
 */
export class TrunkMonitor extends EventEmitter<MonitorEvents> {
  private running = false;
  /** Bumped by every start/stop so work begun in an earlier run is dropped when it completes. */
  private generation = 0;
  private pollTimer?: Timer;
  private polling?: Promise<PollResult>;
  private pendingReason?: PollReason;
  private pool?: ChannelPool;
  private lastPoll: MonitorStatus['lastPoll'] = null;
  private lastPollFailed = false;
  private readonly notifiedAt = new Map<string, number>();
  private readonly tuning: MonitorTuning;
  private readonly metrics: MonitorMetrics;
  private readonly poller: TrunkPoller;
  private readonly connector: NotificationSocketConnector;
  private readonly log: Logger;

  constructor(private readonly deps: TrunkMonitorDeps) {
    super();
    this.tuning = { ...DEFAULT_MONITOR_TUNING, ...deps.tuning };
    this.metrics = new MonitorMetrics(deps.registry, { org: deps.org });
    this.metrics.trackChannels(() => this.pool?.status() ?? { open: 0, topics: 0, openTopics: 0 });
    this.log = deps.logger.child({ module: 'monitor', ...(deps.org ? { org: deps.org } : {}) });
    this.connector = deps.connector ?? new WsSocketConnector({ handshakeTimeoutMs: this.tuning.handshakeTimeoutMs });
    this.poller = new TrunkPoller({
      lister: deps.genesysClient,
      sink: deps.sink,
      clock: deps.clock,
      logger: deps.logger,
      metrics: this.metrics,
      pageSize: this.tuning.pageSize,
      notifiedSince: (trunkId, sinceMono) => (this.notifiedAt.get(trunkId) ?? -Infinity) >= sinceMono,
    });
    // The channel belongs to the token that made it and dies when that token expires (docs/genesys-cloud.md, 'Notifications API'):
    // move every channel to one made with the new token, make-before-break.
    deps.credentials.on('rotated', (e) => {
      // The broker's first token replaces none: no channel can have been made before it.
      if (!this.running || !this.pool || e.previousExpiresAt === undefined) return;
      this.log.info('Genesys token rotated; moving notification channels to the new token');
      this.pool.renewAll('token_rotated');
    });
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.generation++;
    this.log.info('trunk monitor started', {
      pollIntervalMs: this.deps.config.monitor.pollIntervalMs,
      notifications: this.deps.config.monitor.notifications,
    });
    if (this.deps.config.monitor.notifications) this.pool = this.createPool();
    this.scheduleTick();
    void this.requestPoll('start');
  }

  /** Cancels timers and closes sockets at once; resolves when they are closed and a poll in flight has finished (its results are dropped). */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.generation++;
    this.pollTimer?.cancel();
    this.pollTimer = undefined;
    this.pendingReason = undefined;
    const pool = this.pool;
    this.pool = undefined;
    this.notifiedAt.clear();
    await Promise.all([pool?.stop(), this.polling?.catch(() => undefined)]);
    this.log.info('trunk monitor stopped');
  }

  /** Runs a full poll now (or joins the one running and queues another); resolves with its result. */
  pollNow(): Promise<PollResult> {
    if (!this.running)
      return Promise.resolve({ ok: false, trunkIds: [], recorded: 0, pages: 0, error: new Error('the trunk monitor is not running') });
    return this.requestPoll('manual');
  }

  status(): MonitorStatus {
    return {
      running: this.running,
      notifications: this.deps.config.monitor.notifications,
      lastPoll: this.lastPoll,
      channels: this.pool?.status() ?? { channels: 0, open: 0, topics: 0, openTopics: 0 },
    };
  }

  private createPool(): ChannelPool {
    const { clock } = this.deps;
    const at = this.generation;
    const { notificationsClient: client, permissions } = this.deps;
    return new ChannelPool({
      client: permissions ? watchedNotifications(client, permissions) : client,
      connector: this.connector,
      clock,
      logger: this.deps.logger,
      metrics: this.metrics,
      tuning: this.tuning,
      random: this.deps.random ?? Math.random,
      onFrame: (frame) => this.onFrame(frame, at),
      onSubscribed: (info) => {
        if (at === this.generation) this.emit('subscribed', info);
      },
      onConnected: (info) => {
        if (at !== this.generation) return;
        this.emit('channelOpened', info);
        void this.requestPoll('reconnect');
      },
      onRestored: () => {
        if (at === this.generation) void this.requestPoll('resubscribed');
      },
    });
  }

  private onFrame(frame: NotificationFrame, at: number): void {
    if (frame.kind !== 'trunk' || at !== this.generation) return;
    const { clock, sink } = this.deps;
    this.notifiedAt.set(frame.trunkId, clock.monotonic());
    // A patch on what the trunk last looked like: whether events are full snapshots is unconfirmed.
    sink
      .recordPatch({ trunkId: frame.trunkId, body: frame.body as Record<string, unknown>, source: 'notification', observedAt: clock.now() })
      .then(
        () => this.metrics.sighted('notification', true),
        (err: unknown) => {
          this.metrics.sighted('notification', false);
          this.log.warn('the incident service could not record a trunk notification', { err, trunkId: frame.trunkId });
        },
      );
  }

  private scheduleTick(): void {
    this.pollTimer = this.deps.clock.setTimer(this.deps.config.monitor.pollIntervalMs, () => {
      if (!this.running) return;
      this.scheduleTick();
      // A poll still running when the interval comes round already is the fresh read: skip this one.
      if (!this.polling) void this.requestPoll('interval');
    });
  }

  private requestPoll(reason: PollReason): Promise<PollResult> {
    if (this.polling) {
      // Whatever asked for a poll while one runs may need data newer than what that one read: one more follows.
      this.pendingReason = reason;
      return this.polling;
    }
    const at = this.generation;
    const run = async (): Promise<PollResult> => {
      let result = await this.pollOnce(reason, at);
      while (this.pendingReason && this.running && at === this.generation) {
        const next = this.pendingReason;
        this.pendingReason = undefined;
        result = await this.pollOnce(next, at);
      }
      return result;
    };
    this.polling = run().finally(() => {
      this.polling = undefined;
      const next = this.pendingReason;
      this.pendingReason = undefined;
      // Also when a stop and a start came while this poll ran: the new run's first poll was queued here.
      if (next && this.running) void this.requestPoll(next);
    });
    return this.polling;
  }

  private async pollOnce(reason: PollReason, at: number): Promise<PollResult> {
    const result = await this.poller.poll(() => this.running && at === this.generation);
    if (at !== this.generation) return result;
    if (result.ok) {
      this.lastPoll = { at: new Date(this.deps.clock.now()).toISOString(), ok: true, trunks: result.trunkIds.length };
      if (this.lastPollFailed) this.log.info('trunk polling recovered', { trunks: result.trunkIds.length });
      this.lastPollFailed = false;
      this.deps.permissions?.succeeded('trunk polling');
      this.log.debug('trunks polled', { reason, trunks: result.trunkIds.length, pages: result.pages });
      this.pool?.setTrunks(result.trunkIds);
      await this.deps.sink
        .listed?.(result.trunkIds)
        .catch((err: unknown) => this.log.warn('the incident service could not check for trunks that are gone', { err }));
    } else {
      this.lastPoll = { at: new Date(this.deps.clock.now()).toISOString(), ok: false, trunks: result.trunkIds.length };
      this.lastPollFailed = true;
      // A refused permission is logged at ERROR by the watch, once; this line repeats at every poll.
      const refusal = refusalOfError(result.error);
      this.deps.permissions?.failed('trunk polling', result.error);
      this.log.warn('trunk poll failed; trying again at the next interval', {
        reason,
        err: result.error,
        pagesRead: result.pages,
        ...(refusal ? { operation: refusal.operation, missingPermissions: refusal.permissions } : {}),
      });
    }
    this.emit('poll', { ...result, reason });
    return result;
  }
}

/** Builds the trunk monitor; `start()` it where it should run (on the leader, once there is one). */
export function createTrunkMonitor(deps: TrunkMonitorDeps): TrunkMonitor {
  return new TrunkMonitor(deps);
}
