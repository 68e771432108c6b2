import type { Clock } from '../time/clock.js';
import type { Deadline } from '../net/deadline.js';
import type { Limiter, LimiterFactory } from './limiter-factory.js';
import { headerNumber, SlotLease, type UpstreamPacer } from './upstream-pacer.js';

/** We aim at 90 % of what Genesys allows: its window is fixed and started by the token's first call. */
export const GENESYS_HEADROOM = 0.9;

/** A token bucket that never lets more than `target` calls through in any 60 s window. */
export interface BucketSettings {
  /** Calls allowed per minute by Genesys. */
  allowedPerMinute: number;
  /** Bucket size: a burst that goes out at once. */
  burst: number;
  /** Calls added to the bucket every `intervalMs`. */
  refill: number;
  intervalMs: number;
}

/**
 * Bucket settings for `allowed` calls per minute. In any 60 s window at most burst + the refills of
 * 60 s go out, which stays under headroom·allowed whatever the alignment of Genesys' window.
 */
export function bucketFor(allowedPerMinute: number): BucketSettings {
  const target = Math.max(2, Math.floor(allowedPerMinute * GENESYS_HEADROOM));
  const burst = Math.max(1, Math.floor(target * 0.1));
  const perMinute = target - burst;
  if (perMinute >= 60) return { allowedPerMinute, burst, refill: Math.floor(perMinute / 60), intervalMs: 1_000 };
  return { allowedPerMinute, burst, refill: 1, intervalMs: Math.ceil(60_000 / perMinute) };
}

/**
 * Paces Genesys Platform API calls: 300 per minute per token (docs/genesys-cloud.md, 'Rate limits') until an answer's
 * `inin-ratelimit-allowed` says what this org and resource really allow, then that figure — lower
 * (some resources allow 180) or higher (raised org limits; the simulator in benchmarks).
 * One budget for all calls: the broker holds one token at a time.
 */
export class GenesysPacer implements UpstreamPacer {
  private readonly limiter: Limiter;
  private readonly lease: SlotLease;
  private settings: BucketSettings;

  /** `connection`: with a connections file, the org's name — its own bucket (`genesys-api:<org>`) and metric label. */
  constructor(deps: { limiters: LimiterFactory; clock: Clock; allowedPerMinute: number; connection?: string }) {
    this.settings = bucketFor(deps.allowedPerMinute);
    const connection = deps.connection;
    this.limiter = deps.limiters({
      id: connection === undefined ? 'genesys-api' : `genesys-api:${connection}`,
      upstream: 'genesys',
      ...(connection === undefined ? {} : { connection }),
      ...this.limiterOptions(this.settings),
      reservoir: this.settings.burst,
    });
    // 1 slot at a time at Genesys' real 300/min; up to 100 when a resource allows thousands per minute.
    this.lease = new SlotLease(
      () => this.limiter,
      deps.clock,
      () => Math.min(100, Math.max(1, Math.floor(this.settings.burst / 20))),
    );
  }

  acquire(deadline: Deadline, operation: string): Promise<void> | void {
    if (this.lease.tryTake()) return;
    return this.lease.take(deadline, {
      upstream: 'genesys',
      operation,
      retryAfterMs: () => Math.ceil(((this.limiter.counts().QUEUED ?? 0) + 1) / this.settings.refill) * this.settings.intervalMs,
    });
  }

  observe(_status: number, headers: Record<string, unknown>): void {
    const allowed = headerNumber(headers, 'inin-ratelimit-allowed');
    if (allowed === undefined || allowed < 1 || allowed === this.settings.allowedPerMinute) return;
    const previous = this.settings;
    this.settings = bucketFor(allowed);
    // Going down, what is left in the bucket may already be too much for the new window, so it is emptied
    // and refills at the new pace. Going up, it only refills faster and higher: filling it at once would,
    // with several replicas sharing the bucket, add a burst for every replica that sees the new figure.
    const down = this.settings.burst < previous.burst;
    void this.limiter.updateSettings({ ...this.limiterOptions(this.settings), ...(down ? { reservoir: 0 } : {}) }).catch(() => undefined);
  }

  describe(): Record<string, unknown> {
    return { paced: true, ...this.settings };
  }

  close(): Promise<void> {
    return this.limiter.disconnect(false);
  }

  private limiterOptions(s: BucketSettings) {
    return { reservoirIncreaseAmount: s.refill, reservoirIncreaseInterval: s.intervalMs, reservoirIncreaseMaximum: s.burst };
  }
}
