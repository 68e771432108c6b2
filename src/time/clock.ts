/** A cancellable timer handle. */
export interface Timer {
  cancel(): void;
}

/**
 * Time as components see it, injected so tests drive it by hand.
 * `now` is the wall clock (for timestamps we show and for comparing with servers' Date headers);
 * `monotonic` never jumps and is what deadlines are computed with.
 */
export interface Clock {
  now(): number;
  monotonic(): number;
  /** Runs `fn` after `ms`; real timers are unref'd so they never keep the process alive. */
  setTimer(ms: number, fn: () => void): Timer;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  setTimer(ms, fn) {
    const handle = setTimeout(fn, Math.max(0, ms));
    handle.unref();
    return { cancel: () => clearTimeout(handle) };
  },
  sleep(ms, signal) {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const handle = setTimeout(
        () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        Math.max(0, ms),
      );
      const onAbort = () => {
        clearTimeout(handle);
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  },
};
