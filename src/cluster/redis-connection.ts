import { Redis } from 'ioredis';
import { Gauge, type Registry } from 'prom-client';
import type { Logger } from '../log/logger.js';
import { exponentialBackoff } from '../net/backoff.js';

export interface RedisConnectionOptions {
  url: string;
  logger: Logger;
  registry?: Registry;
  /** Shown in CLIENT LIST, e.g. `trunkgate`. */
  name?: string;
  /** Overrides for tests; production uses the bounded defaults below. */
  timeouts?: Partial<RedisTimeouts>;
}

export interface RedisTimeouts {
  connectMs: number;
  commandMs: number;
  /** A connection that got no reply for this long is declared dead and rebuilt (black-holed peer). */
  socketMs: number;
  /** Reconnect backoff ceiling. */
  maxReconnectDelayMs: number;
}

/**
 * Every Redis call is on a path a caller may be waiting on (token refresh) or a lease deadline: a dead
 * Redis must fail fast, never queue. So no offline queue (commands fail at once while disconnected),
 * no resend after a reconnect (the caller has its own retry), and every command bounded.
 */
const DEFAULT_TIMEOUTS: RedisTimeouts = { connectMs: 2_000, commandMs: 1_000, socketMs: 2_000, maxReconnectDelayMs: 2_000 };

/** The one ioredis connection of a replica, with its state logged once per change and exported as a metric. */
export class RedisConnection {
  readonly client: Redis;
  private readonly log: Logger;
  private wasUp = false;
  private downLogged = false;
  private lastError?: string;

  constructor(options: RedisConnectionOptions) {
    const t = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
    this.log = options.logger.child({ module: 'cluster/redis' });
    this.client = new Redis(options.url, {
      connectionName: options.name ?? 'trunkgate',
      connectTimeout: t.connectMs,
      commandTimeout: t.commandMs,
      socketTimeout: t.socketMs,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      autoResendUnfulfilledCommands: false,
      keepAlive: 10_000,
      // ioredis counts reconnect attempts from 1: 200 ms, 400 ms, … up to the ceiling.
      retryStrategy: (times) => exponentialBackoff(times, { baseMs: 200, capMs: t.maxReconnectDelayMs }),
    });
    this.client.on('ready', () => {
      this.log.info(this.wasUp || this.downLogged ? 'redis reachable again' : 'redis connected');
      this.wasUp = true;
      this.downLogged = false;
      this.lastError = undefined;
    });
    // ioredis emits 'error' on every failed reconnect; WARN once per outage (it heals itself).
    this.client.on('error', (err: Error) => {
      this.lastError = err.message;
      if (this.downLogged) return;
      this.downLogged = true;
      this.log.warn('redis unreachable; this replica refreshes tokens on its own and gives up leadership when its lease runs out', { err });
    });
    if (options.registry) {
      const gauge: Gauge = new Gauge({
        name: 'trunkgate_redis_up',
        help: '1 when the Redis connection is ready, 0 otherwise',
        registers: [options.registry],
        collect: () => {
          gauge.set(this.up ? 1 : 0);
        },
      });
    }
  }

  get up(): boolean {
    return this.client.status === 'ready';
  }

  /** What readiness shows: never the URL (it may carry a password). */
  describe(): string {
    return this.up ? 'connected' : `unreachable (${this.client.status}${this.lastError ? `: ${this.lastError}` : ''})`;
  }

  /** Resolves true once connected, false on the first failure or after `timeoutMs` (start-up goes on regardless). */
  waitUntilReady(timeoutMs: number): Promise<boolean> {
    if (this.up) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.client.off('ready', onReady);
        this.client.off('error', onError);
        resolve(ok);
      };
      const onReady = () => done(true);
      const onError = () => done(false);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.client.on('ready', onReady);
      this.client.on('error', onError);
    });
  }

  /** QUIT when connected (lets pending replies arrive), otherwise just drop the socket and stop reconnecting. */
  async close(): Promise<void> {
    const status = this.client.status;
    if (status === 'end') return;
    // Between reconnect attempts no socket is open and ioredis emits no 'end': nothing to wait for.
    const socketOpen = status === 'connecting' || status === 'connect' || status === 'ready';
    let timer: NodeJS.Timeout | undefined;
    const ended = socketOpen
      ? new Promise<void>((resolve) => {
          this.client.once('end', () => resolve());
          timer = setTimeout(resolve, 2_000);
        })
      : Promise.resolve();
    let quit = false;
    if (this.up) {
      // QUIT answers before the socket closes: wait for 'end' so nothing is left open after close().
      quit = await this.client.quit().then(
        () => true,
        () => false,
      );
    }
    if (!quit) this.client.disconnect(false);
    await ended;
    clearTimeout(timer);
  }
}
