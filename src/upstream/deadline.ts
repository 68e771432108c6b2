import type { Clock } from '../time/clock.js';

/**
 * When one piece of work (an action, retries included) must be over, on the monotonic clock, plus
 * the caller's abort signal. Every wait and every attempt of an upstream call is bounded by it.
 */
export class Deadline {
  private constructor(
    private readonly clock: Clock,
    /** Monotonic ms. */
    readonly at: number,
    readonly signal?: AbortSignal,
  ) {}

  static after(clock: Clock, ms: number, signal?: AbortSignal): Deadline {
    return new Deadline(clock, clock.monotonic() + ms, signal);
  }

  remainingMs(): number {
    return Math.max(0, this.at - this.clock.monotonic());
  }

  expired(): boolean {
    return this.remainingMs() <= 0 || this.signal?.aborted === true;
  }
}
