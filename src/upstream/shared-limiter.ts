import type { Limiter, LimiterOptions, LimiterSettings } from './limiter-factory.js';

/** Whether the shared datastore of the limiters (Redis) can be used, as its connection sees it. */
export interface SharedLimiterStatus {
  readonly up: boolean;
  /** Replicas seen sharing the limits, this one included, when the datastore was last reachable (at least 1). */
  readonly replicas: number;
  /** A shared limiter failed a call: the datastore is treated as unreachable until a probe says otherwise. */
  reportFailure(err: unknown): void;
  /** Calls `listener` on every change of `up`; returns the unsubscribe function. */
  onChange(listener: (up: boolean) => void): () => void;
}

/** A limiter on the shared datastore: a Limiter that also says when it is set up and when its datastore failed. */
export interface SharedLimiter extends Limiter {
  ready(): Promise<unknown>;
  onError(listener: (err: unknown) => void): void;
}

/** Never more than this many shares: a bigger estimate would starve the fallback of a slot lease. */
const MAX_SHARES = 16;

/**
 * One replica's share of a bucket meant for `replicas` of them: the reservoir and its ceiling divided,
 * the increase spread `replicas` times further apart (so any window gets at most 1/replicas of the refills).
 */
export function shareOf(settings: LimiterSettings, replicas: number): LimiterSettings {
  const n = Math.min(MAX_SHARES, Math.max(1, Math.floor(replicas)));
  const out = { ...settings };
  if (typeof settings.reservoir === 'number') out.reservoir = Math.floor(settings.reservoir / n);
  if (typeof settings.reservoirIncreaseMaximum === 'number')
    out.reservoirIncreaseMaximum = Math.max(1, Math.floor(settings.reservoirIncreaseMaximum / n));
  if (typeof settings.reservoirIncreaseInterval === 'number') out.reservoirIncreaseInterval = settings.reservoirIncreaseInterval * n;
  return out;
}

/** A source of shared limiters that also reports whether they can be used (the Redis limiter connection). */
export interface SharedLimiterSource extends SharedLimiterStatus {
  createShared(options: LimiterOptions): SharedLimiter;
}
