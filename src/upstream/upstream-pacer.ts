import { RateLimitedError, UpstreamTimeoutError } from '../errors/app-error.js';
import type { Clock } from '../time/clock.js';
import type { Deadline } from '../net/deadline.js';
import type { Limiter } from './limiter-factory.js';

/** Keeps calls to one upstream inside its rate limit. */
export interface UpstreamPacer {
  /**
   * Resolves when a call may go out (returns nothing when it may go at once); rejects with
   * RateLimitedError when no slot comes before the deadline.
   */
  acquire(deadline: Deadline, operation: string): Promise<void> | void;
  /** Learns from every answer's rate-limit headers. */
  observe(status: number, headers: Record<string, unknown>): void;
  /** What the pacer currently allows, for logs and tests. */
  describe(): Record<string, unknown>;
  close(): Promise<void>;
}

/** A pacer that never waits (tests, and upstreams with no known limit). */
export const unpaced: UpstreamPacer = {
  acquire: () => undefined,
  observe: () => undefined,
  describe: () => ({ paced: false }),
  close: async () => undefined,
};

export function headerNumber(headers: Record<string, unknown>, name: string): number | undefined {
  const raw = headers[name];
  const text = Array.isArray(raw) ? raw[0] : raw;
  if (typeof text !== 'string' && typeof text !== 'number') return undefined;
  const n = Number(text);
  return Number.isFinite(n) && String(text).trim() !== '' ? n : undefined;
}

/**
 * Waits for a slot of `limiter`, but never past the deadline. bottleneck cannot take a queued job
 * back, so a caller that gives up leaves a job that finds nobody waiting and does nothing (it still
 * spends its slot, which errs on the safe side of the upstream's limit).
 */
export function slotWithin(
  limiter: Limiter,
  deadline: Deadline,
  clock: Clock,
  what: { upstream: string; operation: string; retryAfterMs: () => number; weight?: number },
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      timer.cancel();
      deadline.signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const giveUp = () =>
      finish(() =>
        reject(
          new RateLimitedError(
            `trunkgate is pacing ${what.upstream} calls to its rate limit and no slot is free before the action's deadline`,
            what.retryAfterMs() / 1000,
            [{ message: `${what.upstream} ${what.operation} was not sent`, upstream: what.upstream, operation: what.operation }],
          ),
        ),
      );
    const onAbort = () =>
      finish(() =>
        reject(
          new UpstreamTimeoutError(`the caller went away while ${what.operation} waited for a slot`, {
            upstream: what.upstream,
            operation: what.operation,
          }),
        ),
      );
    const timer = clock.setTimer(deadline.remainingMs(), giveUp);
    deadline.signal?.addEventListener('abort', onAbort, { once: true });
    limiter.schedule({ weight: what.weight ?? 1 }, async () => finish(resolve)).catch((err: unknown) => finish(() => reject(err)));
  });
}

/**
 * Takes slots from a limiter a few at a time and hands them out without touching it. bottleneck
 * serialises every job through timer yields (about 300 jobs/s on a busy 2-core machine, measured),
 * which would cap an upstream far below its limit; a lease of `size()` slots costs one job. Leased
 * slots expire after `ttlMs`, so slots counted in one window are never spent much later, and the
 * lease stays a small fraction of the pacer's burst (the headroom covers it). At low rates size is 1
 * and this is plain bottleneck.
 */
export class SlotLease {
  private permits = 0;
  private expiresAt = 0;
  private pending: Promise<void> | undefined;

  constructor(
    /** The limiter to lease from now (a pacer may switch limiters, e.g. at the end of an hourly window). */
    private readonly limiter: () => Limiter,
    private readonly clock: Clock,
    private readonly size: () => number,
    private readonly ttlMs = 1_000,
  ) {}

  /** Takes a leased slot if one is left: the synchronous fast path. */
  tryTake(): boolean {
    if (this.permits > 0 && this.clock.monotonic() < this.expiresAt) {
      this.permits -= 1;
      return true;
    }
    return false;
  }

  async take(deadline: Deadline, what: { upstream: string; operation: string; retryAfterMs: () => number }): Promise<void> {
    while (!this.tryTake()) {
      if (!this.pending) {
        const size = Math.max(1, Math.floor(this.size()));
        this.pending = slotWithin(this.limiter(), deadline, this.clock, { ...what, weight: size })
          .then(() => {
            this.permits = size;
            this.expiresAt = this.clock.monotonic() + this.ttlMs;
          })
          .finally(() => {
            this.pending = undefined;
          });
      }
      try {
        await this.pending;
      } catch (err) {
        // Another caller's lease request gave up at its deadline, or its limiter was retired; ours may still have time.
        if (deadline.expired()) throw err;
      }
    }
  }
}
