import type { Clock } from '../time/clock.js';

/** What a rate limit says about one request: go, or wait this long before asking again. */
export interface RateDecision {
  allowed: boolean;
  /** Until the request would be allowed; 0 when it is. */
  retryAfterMs: number;
}

/** Counts each caller's requests per minute; synchronous unless the count lives in Redis. */
export interface CallerRateLimiter {
  /** Counts one request of `key` when it is within `perMinute`; a refused request is not counted. */
  take(key: string, perMinute: number): RateDecision | Promise<RateDecision>;
}

export const WINDOW_MS = 60_000;
const ALLOWED: RateDecision = { allowed: true, retryAfterMs: 0 };

/**
 * The sliding-window counter: the previous minute's count weighted by how much of it still lies within
 * the last 60 s, plus this minute's. Unlike a fixed window it never lets twice the limit through across
 * a minute boundary, and it needs two counters per caller, not a log of every request.
 */
export function decide(now: number, perMinute: number, current: number, previous: number): RateDecision {
  const elapsed = now % WINDOW_MS;
  if (previous * (1 - elapsed / WINDOW_MS) + current + 1 <= perMinute) return ALLOWED;
  // Over: wait until enough of the older count has slid out of view.
  const wait =
    current + 1 > perMinute
      ? WINDOW_MS - elapsed + WINDOW_MS * Math.max(0, 1 - (perMinute - 1) / current)
      : WINDOW_MS * (1 - (perMinute - 1 - current) / previous) - elapsed;
  return { allowed: false, retryAfterMs: Math.max(1, Math.ceil(wait)) };
}

interface Counts {
  window: number;
  current: number;
  previous: number;
}

/** The counts of this replica alone (no Redis, or while it cannot be reached). */
export class LocalCallerRateLimiter implements CallerRateLimiter {
  private readonly counts = new Map<string, Counts>();
  private sweptWindow = 0;

  constructor(private readonly clock: Clock) {}

  take(key: string, perMinute: number): RateDecision {
    const now = this.clock.now();
    const window = Math.floor(now / WINDOW_MS);
    this.sweep(window);
    let counts = this.counts.get(key);
    if (!counts) {
      counts = { window, current: 0, previous: 0 };
      this.counts.set(key, counts);
    } else if (counts.window !== window) {
      counts.previous = counts.window === window - 1 ? counts.current : 0;
      counts.current = 0;
      counts.window = window;
    }
    const decision = decide(now, perMinute, counts.current, counts.previous);
    if (decision.allowed) counts.current += 1;
    return decision;
  }

  /** Callers silent for two windows hold nothing worth keeping (JWT subjects come and go). */
  private sweep(window: number): void {
    if (window <= this.sweptWindow) return;
    this.sweptWindow = window;
    for (const [key, counts] of this.counts) if (counts.window < window - 1) this.counts.delete(key);
  }
}

/** The Redis connection of the shared limits, as the shared counter needs it (the limiter connection). */
export interface SharedCounterSource {
  readonly up: boolean;
  /** Replicas sharing Redis: while it is down each counts alone against its share of every limit. */
  readonly replicas: number;
  reportFailure(err: unknown): void;
  runScript(script: string, keys: string[], args: Array<string | number>): Promise<unknown>;
}

/**
 * Checks and counts in one step, so replicas racing on one caller cannot both take the last request:
 * refuses without counting when the weighted count is at the limit, else INCR (and PEXPIRE on a new key,
 * kept two windows so it can serve as the previous one).
 */
const TAKE = `
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local previous = tonumber(redis.call('GET', KEYS[2]) or '0')
if previous * tonumber(ARGV[2]) + current + 1 > tonumber(ARGV[1]) then return {0, current, previous} end
current = redis.call('INCR', KEYS[1])
if current == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
return {1, current, previous}`;

/**
 * One count per caller for all replicas, in Redis (`<prefix>callers:rate:caller:<name>:<minute>`, `…:jwt:<sub>:…`). While
 * Redis cannot be reached a request is never failed for it: this replica counts alone, against its
 * share of the limit (as the upstream budgets do), until the limits connection sees Redis again.
 * Windows are read from each replica's clock, which should be NTP-synced (as for the shared budgets).
 */
export class SharedCallerRateLimiter implements CallerRateLimiter {
  constructor(
    private readonly source: SharedCounterSource,
    private readonly local: LocalCallerRateLimiter,
    private readonly clock: Clock,
  ) {}

  take(key: string, perMinute: number): RateDecision | Promise<RateDecision> {
    if (!this.source.up) return this.alone(key, perMinute);
    const now = this.clock.now();
    const window = Math.floor(now / WINDOW_MS);
    const weight = 1 - (now % WINDOW_MS) / WINDOW_MS;
    const keys = [`callers:rate:${key}:${window}`, `callers:rate:${key}:${window - 1}`];
    return this.source.runScript(TAKE, keys, [perMinute, weight.toFixed(6), 2 * WINDOW_MS]).then(
      (reply) => {
        const [allowed, current, previous] = reply as [number, number, number];
        if (allowed === 1) return ALLOWED;
        const refused = decide(now, perMinute, current, previous);
        // The script's weight was rounded: at the very edge it may refuse what this arithmetic would allow.
        return refused.allowed ? { allowed: false, retryAfterMs: 1 } : refused;
      },
      (err: unknown) => {
        this.source.reportFailure(err);
        return this.alone(key, perMinute);
      },
    );
  }

  private alone(key: string, perMinute: number): RateDecision {
    return this.local.take(key, Math.max(1, Math.floor(perMinute / Math.max(1, this.source.replicas))));
  }
}
