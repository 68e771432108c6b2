import { randomUUID } from 'node:crypto';
import Bottleneck from 'bottleneck';
import { Redis } from 'ioredis';
import type { Logger } from '../log/logger.js';
import { exponentialBackoff } from '../net/backoff.js';
import type { Clock, Timer } from '../time/clock.js';
import type { SharedLimiter, SharedLimiterSource } from '../upstream/shared-limiter.js';
import { settingsOf, type LimiterOptions, type LimiterSettings } from '../upstream/limiter-factory.js';

export interface LimiterConnectionOptions {
  url: string;
  /** REDIS_KEY_PREFIX: every key (ioredis keyPrefix) and every pub/sub channel (in the limiter ids) is under it. */
  keyPrefix: string;
  clock: Clock;
  logger: Logger;
  /** Overrides for tests; production uses the bounded defaults below. */
  timeouts?: Partial<LimiterConnectionTimeouts>;
}

export interface LimiterConnectionTimeouts {
  connectMs: number;
  /** Every limiter call (a Lua script) is bounded by this: it is how long a caller waits on a black-holed Redis. */
  commandMs: number;
  /** A connection that got no reply for this long is dropped and rebuilt (a half-open TCP connection). */
  socketMs: number;
  maxReconnectDelayMs: number;
  /** How often an unreachable Redis is probed, and how often the replica count is refreshed (×5). */
  probeMs: number;
  /** bottleneck's per-limiter heartbeat: the longest a waiting job misses a refill of the shared bucket. */
  heartbeatMs: number;
  /** A shared bucket nobody touched for this long is deleted (ServiceNow keeps one bucket per hourly window). */
  keyTtlMs: number;
}

const DEFAULT_TIMEOUTS: LimiterConnectionTimeouts = {
  connectMs: 2_000,
  commandMs: 1_000,
  socketMs: 2_000,
  maxReconnectDelayMs: 2_000,
  probeMs: 1_000,
  heartbeatMs: 500,
  keyTtlMs: 2 * 3_600_000,
};
const PRESENCE_EVERY_PROBES = 5;

/**
 * bottleneck 2.19.5 unsubscribes a removed limiter inside a forEach whose promise nobody holds: with the
 * subscriber offline (we disable the offline queue) that rejection would be unhandled and end the process.
 */
class SafeIORedisConnection extends Bottleneck.IORedisConnection {
  __removeLimiter__(instance: Bottleneck): Promise<void> {
    const self = this as unknown as { limiters: Record<string, unknown>; subscriber: Redis; terminated: boolean };
    const channels = [
      instance.channel(),
      `${instance.channel()}_${(instance as unknown as { _store: { clientId: string } })._store.clientId}`,
    ];
    for (const channel of channels) delete self.limiters[channel];
    if (self.terminated || self.subscriber.status !== 'ready') return Promise.resolve();
    return self.subscriber.unsubscribe(...channels).then(
      () => undefined,
      () => undefined,
    );
  }
}

/**
 * The one bottleneck Redis connection (a client and a pub/sub subscriber) of all the limiters of a replica,
 * and the judge of whether the shared limits can be used. bottleneck waits for Redis only while starting:
 * afterwards each call fails at once while disconnected (no offline queue) or after `commandMs`, and a
 * failure is reported here by the limiter that saw it. Down, limiters pace on their local share; up again
 * after a successful PING. The replica count (for that share) is a presence set refreshed every few seconds.
 */
export class LimiterConnection implements SharedLimiterSource {
  readonly bottleneck: Bottleneck.IORedisConnection;
  private readonly client: Redis;
  private readonly subscriber: Redis;
  private readonly t: LimiterConnectionTimeouts;
  private readonly log: Logger;
  private readonly listeners = new Set<(up: boolean) => void>();
  private readonly member = randomUUID();
  private healthy = false;
  private everUp = false;
  private warned = false;
  private closed = false;
  private probing = false;
  private probes = 0;
  private replicaCount = 1;
  private lastError: string | undefined;
  private timer: Timer | undefined;

  constructor(private readonly options: LimiterConnectionOptions) {
    this.t = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
    this.log = options.logger.child({ module: 'cluster/limits' });
    this.client = new Redis(options.url, {
      connectionName: 'trunkgate-limits',
      keyPrefix: options.keyPrefix,
      connectTimeout: this.t.connectMs,
      commandTimeout: this.t.commandMs,
      socketTimeout: this.t.socketMs,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      autoResendUnfulfilledCommands: false,
      keepAlive: 10_000,
      retryStrategy: (times) => exponentialBackoff(times, { baseMs: 200, capMs: this.t.maxReconnectDelayMs }),
    });
    this.bottleneck = new SafeIORedisConnection({ client: this.client, Redis } as Bottleneck.IORedisConnectionOptions);
    this.subscriber = (this.bottleneck as unknown as { subscriber: Redis }).subscriber;
    // bottleneck re-emits the clients' errors here; we judge health from the clients' own events.
    this.bottleneck.on('error', () => undefined);
    for (const redis of [this.client, this.subscriber]) {
      redis.on('ready', () => void this.probe());
      redis.on('close', () => this.down('connection closed'));
      redis.on('error', (err: Error) => {
        this.lastError = err.message;
        if (!this.everUp) this.down(err.message);
      });
    }
    this.tick();
  }

  get up(): boolean {
    return this.healthy;
  }

  get replicas(): number {
    return this.replicaCount;
  }

  reportFailure(err: unknown): void {
    this.down(err instanceof Error ? err.message : String(err));
  }

  onChange(listener: (up: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** What readiness and logs show: never the URL (it may carry a password). */
  describe(): string {
    return this.healthy
      ? `shared by ${this.replicaCount} replica(s)`
      : `local share 1/${this.replicaCount} (${this.lastError ?? 'connecting'})`;
  }

  /** Resolves true once usable, false on the first failure or after `timeoutMs` (start-up goes on regardless). */
  waitUntilUp(timeoutMs: number): Promise<boolean> {
    if (this.healthy) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = this.options.clock.setTimer(timeoutMs, () => done(false));
      const onError = () => done(false);
      const stop = this.onChange((up) => done(up));
      const done = (ok: boolean) => {
        timer.cancel();
        stop();
        this.client.off('error', onError);
        resolve(ok);
      };
      this.client.on('error', onError);
    });
  }

  /**
   * Runs a Lua script on the limits connection (its keys under REDIS_KEY_PREFIX, like every key here):
   * the per-caller counters. Fails at once while disconnected and after `commandMs` on a silent Redis;
   * the caller reports the failure, as the limiters do.
   */
  runScript(script: string, keys: string[], args: Array<string | number>): Promise<unknown> {
    return this.client.eval(script, keys.length, ...keys, ...args);
  }

  /** A limiter on the shared bucket `id` (created with `options` if no replica has created it yet). */
  createShared(options: LimiterOptions): SharedLimiter {
    const limiter = new Bottleneck({
      ...settingsOf(options),
      // The prefix in the id too: pub/sub channels (b_<id>) are not covered by ioredis' keyPrefix.
      id: `${this.options.keyPrefix}limits:${options.id}`,
      datastore: 'ioredis',
      connection: this.bottleneck,
      // The first replica creates the bucket; later ones join it as it is (bottleneck's init.lua).
      clearDatastore: false,
      timeout: this.t.keyTtlMs,
      heartbeatInterval: this.t.heartbeatMs,
    } as Bottleneck.ConstructorOptions);
    const update = limiter.updateSettings.bind(limiter);
    const stop = limiter.stop.bind(limiter);
    return Object.assign(limiter, {
      updateSettings: async (settings: LimiterSettings) => {
        // Typed as synchronous, but bottleneck's updateSettings is async (it runs a Lua script).
        await (update(settingsOf(settings)) as unknown as Promise<unknown>);
      },
      stop: () => stop({ dropWaitingJobs: true }),
      onError: (listener: (err: unknown) => void) => void limiter.on('error', listener),
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.timer?.cancel();
    const wasUp = this.healthy;
    this.healthy = false;
    if (wasUp) await this.client.zrem('limits:replicas', this.member).catch(() => undefined);
    // Clears every limiter's heartbeat and marks the connection terminated. Reachable, QUIT: its answer
    // comes after every command sent before it, so nothing this replica sent lands in Redis later.
    if (
      !wasUp ||
      !(await this.bottleneck.disconnect(true).then(
        () => true,
        () => false,
      ))
    )
      await this.bottleneck.disconnect(false);
  }

  private tick(): void {
    this.timer = this.options.clock.setTimer(this.t.probeMs, () => {
      if (this.closed) return;
      this.probes += 1;
      if (!this.healthy) void this.probe();
      else if (this.probes % PRESENCE_EVERY_PROBES === 0) this.presence().catch((err: unknown) => this.reportFailure(err));
      this.tick();
    });
  }

  private async probe(): Promise<void> {
    if (this.healthy || this.probing || this.closed) return;
    if (this.client.status !== 'ready' || this.subscriber.status !== 'ready') return;
    this.probing = true;
    try {
      await this.client.ping();
      await this.presence();
      this.setUp();
    } catch (err) {
      this.lastError = err instanceof Error ? err.message : String(err);
    } finally {
      this.probing = false;
    }
  }

  /** Adds this replica to the presence set and counts the replicas seen in the last few refreshes. */
  private async presence(): Promise<void> {
    const now = this.options.clock.now();
    const horizon = 3 * PRESENCE_EVERY_PROBES * this.t.probeMs;
    const results = await this.client
      .multi()
      .zadd('limits:replicas', now, this.member)
      .zremrangebyscore('limits:replicas', '-inf', now - horizon)
      .zcard('limits:replicas')
      .pexpire('limits:replicas', 2 * horizon)
      .exec();
    const count = results?.[2]?.[1];
    if (typeof count === 'number' && count >= 1) this.replicaCount = count;
  }

  private setUp(): void {
    if (this.healthy || this.closed) return;
    this.healthy = true;
    if (this.everUp || this.warned)
      this.log.info('redis reachable again: rate limits are shared by all replicas again', { replicas: this.replicaCount });
    this.everUp = true;
    this.warned = false;
    this.lastError = undefined;
    this.emit(true);
  }

  private down(reason: string): void {
    if (this.closed) return;
    this.lastError = reason;
    const wasUp = this.healthy;
    this.healthy = false;
    if (!this.warned) {
      this.warned = true;
      // It heals itself (WARN, not ERROR): callers keep being served, on this replica's share.
      this.log.warn(
        `redis unreachable for the shared rate limits: this replica paces each upstream on its own 1/${this.replicaCount} share of the budget until it is back`,
        {
          reason,
          replicas: this.replicaCount,
        },
      );
    }
    if (wasUp) this.emit(false);
  }

  private emit(up: boolean): void {
    for (const listener of [...this.listeners]) listener(up);
  }
}
