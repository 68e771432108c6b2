import type { Clock, Timer } from './clock.js';

/**
 * A clock that only moves when told to: `advance(ms)` fires due timers in order, letting the
 * promise jobs they start settle between timers. For tests and benchmarks of time-driven logic.
 */
export class ManualClock implements Clock {
  private wall: number;
  private mono = 0;
  private seq = 0;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();

  constructor(startWallMs = Date.UTC(2026, 0, 1)) {
    this.wall = startWallMs;
  }

  now(): number {
    return this.wall + this.mono;
  }

  monotonic(): number {
    return this.mono;
  }

  /** Moves the wall clock alone (as NTP or a bad host clock would). */
  skewWall(ms: number): void {
    this.wall += ms;
  }

  setTimer(ms: number, fn: () => void): Timer {
    const id = ++this.seq;
    this.timers.set(id, { at: this.mono + Math.max(0, ms), fn });
    return { cancel: () => this.timers.delete(id) };
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const timer = this.setTimer(ms, () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
      const onAbort = () => {
        timer.cancel();
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Number of timers waiting. */
  get pending(): number {
    return this.timers.size;
  }

  /** Advances time by `ms`, firing every timer that falls due, earliest first. */
  async advance(ms: number): Promise<void> {
    const target = this.mono + ms;
    for (;;) {
      await flushMicrotasks();
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of this.timers) {
        if (entry[1].at <= target && (!next || entry[1].at < next[1].at || (entry[1].at === next[1].at && entry[0] < next[0])))
          next = entry;
      }
      if (!next) break;
      this.timers.delete(next[0]);
      this.mono = Math.max(this.mono, next[1].at);
      next[1].fn();
    }
    this.mono = target;
    await flushMicrotasks();
  }
}

/** Lets promise chains started by a timer run to their next real await. */
async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 20; i += 1) await new Promise<void>((resolve) => setImmediate(resolve));
}
