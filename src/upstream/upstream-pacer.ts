import { RateLimitedError, UpstreamTimeoutError } from '../errors/app-error.js';
import type { Clock } from '../time/clock.js';
import type { Deadline } from './deadline.js';
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
export function slotWithin(limiter: Limiter, deadline: Deadline, clock: Clock, what: { upstream: string; operation: string; retryAfterMs: () => number }): Promise<void> {
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
          new RateLimitedError(`trunkgate is pacing ${what.upstream} calls to its rate limit and no slot is free before the action's deadline`, what.retryAfterMs() / 1000, [
            { message: `${what.upstream} ${what.operation} was not sent`, upstream: what.upstream, operation: what.operation },
          ]),
        ),
      );
    const onAbort = () => finish(() => reject(new UpstreamTimeoutError(`the caller went away while ${what.operation} waited for a slot`, { upstream: what.upstream, operation: what.operation })));
    const timer = clock.setTimer(deadline.remainingMs(), giveUp);
    deadline.signal?.addEventListener('abort', onAbort, { once: true });
    limiter.schedule(async () => finish(resolve)).catch((err: unknown) => finish(() => reject(err)));
  });
}
