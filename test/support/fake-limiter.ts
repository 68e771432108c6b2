import type Bottleneck from 'bottleneck';
import type { SharedLimiter, SharedLimiterStatus } from '../../src/upstream/shared-limiter.js';
import type { LimiterOptions, LimiterSettings } from '../../src/upstream/limiter-factory.js';

/**
 * A limiter that grants slots while its reservoir lasts (no reservoir = unlimited), queues the rest in
 * order, and records every setting it is given. `failWith` makes it drop new jobs (as bottleneck does when
 * its Redis call fails); `stop()` rejects the waiting ones.
 */
export class FakeLimiter implements SharedLimiter {
  settings: LimiterSettings[] = [];
  reservoir: number | null;
  /** Weights of every schedule() call, in order. */
  scheduled: number[] = [];
  doneWeight = 0;
  failWith: Error | undefined;
  stopped = false;
  disconnected = false;
  private waiting: Array<{ weight: number; go: () => void; drop: (err: Error) => void }> = [];
  private errorListeners: Array<(err: unknown) => void> = [];
  private readyResult: Promise<unknown> = Promise.resolve();

  constructor(readonly options: LimiterOptions) {
    this.reservoir = options.reservoir ?? null;
  }

  schedule<R>(options: { weight?: number }, fn: () => PromiseLike<R>): Promise<R> {
    const weight = options.weight ?? 1;
    this.scheduled.push(weight);
    if (this.stopped) return Promise.reject(new Error('This limiter has been stopped.'));
    if (this.failWith) return Promise.reject(this.failWith);
    return new Promise<void>((go, drop) => {
      this.waiting.push({ weight, go, drop });
      this.drain();
    }).then(async () => {
      const result = await fn();
      this.doneWeight += weight;
      return result;
    });
  }

  async updateSettings(options: LimiterSettings): Promise<void> {
    this.settings.push({ ...options });
    if (options.reservoir !== undefined) this.reservoir = options.reservoir;
    this.drain();
  }

  async currentReservoir(): Promise<number | null> {
    if (this.failWith) throw this.failWith;
    return this.reservoir;
  }

  async done(): Promise<number> {
    return this.doneWeight;
  }

  async running(): Promise<number> {
    return 0;
  }

  counts(): Bottleneck.Counts {
    return { RECEIVED: 0, QUEUED: this.waiting.length, RUNNING: 0, EXECUTING: 0 };
  }

  get queued(): number {
    return this.waiting.length;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const w of this.waiting.splice(0)) w.drop(new Error('This limiter has been stopped.'));
  }

  async disconnect(): Promise<void> {
    this.disconnected = true;
  }

  ready(): Promise<unknown> {
    return this.readyResult;
  }

  failReady(err: Error): void {
    this.readyResult = Promise.reject(err);
  }

  onError(listener: (err: unknown) => void): void {
    this.errorListeners.push(listener);
  }

  /** As bottleneck's "error" event (a heartbeat or drain that could not reach Redis). */
  emitError(err: Error): void {
    for (const l of this.errorListeners) l(err);
  }

  /** Adds slots (a refill) and grants waiting jobs they cover. */
  refill(n: number): void {
    this.reservoir = (this.reservoir ?? 0) + n;
    this.drain();
  }

  private drain(): void {
    while (this.waiting.length > 0) {
      const next = this.waiting[0]!;
      if (this.reservoir !== null && this.reservoir < next.weight) return;
      if (this.reservoir !== null) this.reservoir -= next.weight;
      this.waiting.shift();
      next.go();
    }
  }
}

/** Every limiter a factory made, in order. */
export function fakeLimiters(): { made: FakeLimiter[]; limiters: (o: LimiterOptions) => FakeLimiter } {
  const made: FakeLimiter[] = [];
  return {
    made,
    limiters: (o) => {
      const l = new FakeLimiter(o);
      made.push(l);
      return l;
    },
  };
}

/** A shared-datastore status driven by the test. */
export class FakeSharedStatus implements SharedLimiterStatus {
  up: boolean;
  replicas: number;
  failures: unknown[] = [];
  private listeners = new Set<(up: boolean) => void>();

  constructor(options: { up: boolean; replicas?: number }) {
    this.up = options.up;
    this.replicas = options.replicas ?? 1;
  }

  reportFailure(err: unknown): void {
    this.failures.push(err);
    this.set(false);
  }

  onChange(listener: (up: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  set(up: boolean): void {
    if (up === this.up) return;
    this.up = up;
    for (const l of [...this.listeners]) l(up);
  }
}
