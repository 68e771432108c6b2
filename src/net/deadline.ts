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

  /**
   * `work`, unless the deadline passes or the caller goes away first: then `onExpiry()` is thrown and
   * `work` carries on for whoever else awaits it (a shared token refresh, say).
   */
  bound<T>(work: Promise<T>, onExpiry: () => Error): Promise<T> {
    if (this.expired()) {
      work.catch(() => undefined);
      return Promise.reject(onExpiry());
    }
    return new Promise<T>((resolve, reject) => {
      // Assigned once the closures that cancel it exist (a timer firing at once must find `settle`).
      // eslint-disable-next-line prefer-const
      let timer: { cancel(): void } | undefined;
      const settle = () => {
        timer?.cancel();
        this.signal?.removeEventListener('abort', expire);
      };
      const expire = () => {
        settle();
        work.catch(() => undefined);
        reject(onExpiry());
      };
      timer = this.clock.setTimer(this.remainingMs(), expire);
      this.signal?.addEventListener('abort', expire, { once: true });
      work.then(
        (value) => {
          settle();
          resolve(value);
        },
        (err: unknown) => {
          settle();
          reject(err);
        },
      );
    });
  }
}
