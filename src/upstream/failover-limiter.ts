import type Bottleneck from 'bottleneck';
import type { Limiter, LimiterFactory, LimiterOptions, LimiterSettings } from './limiter-factory.js';
import { settingsOf } from './limiter-factory.js';
import type { LimiterMetrics } from './limiter-metrics.js';
import { shareOf, type SharedLimiter, type SharedLimiterSource, type SharedLimiterStatus } from './shared-limiter.js';

/** One schedule() call: granted once, by whichever limiter it waits on comes first. */
interface Ticket {
  readonly weight: number;
  /** Limiters this ticket is queued on right now. */
  places: number;
  settled: boolean;
  run(): void;
  fail(err: unknown): void;
}

/**
 * A limiter on the shared bucket of all replicas (bottleneck on Redis) that falls back to a local bucket
 * with this replica's share of the budget while Redis cannot be reached, and goes back when it can.
 * bottleneck cannot take a queued job back, so a job moved to the other limiter stays queued on the first:
 * each call is a ticket granted by whichever limiter comes first, and the other one's slot goes unused
 * (a slot spent for nothing, never a call sent twice or over the budget).
 */
export class FailoverLimiter implements Limiter {
  private primary: SharedLimiter | undefined;
  private fallback: Limiter | undefined;
  /** The latest settings, in cluster-wide terms. */
  private settings: LimiterSettings;
  /** Settings the shared bucket missed while unreachable (never its reservoir: what we counted alone means nothing there). */
  private missed: LimiterSettings = {};
  private lastSharedReservoir: number | undefined;
  private readonly onPrimary = new Set<Ticket>();
  private readonly onFallback = new Set<Ticket>();
  private stopped = false;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly deps: {
      options: LimiterOptions;
      status: SharedLimiterStatus;
      shared: (options: LimiterOptions) => SharedLimiter;
      local: (options: LimiterOptions) => Limiter;
      metrics?: LimiterMetrics;
    },
  ) {
    this.settings = settingsOf(deps.options);
    this.unsubscribe = deps.status.onChange((up) => (up ? this.recovered() : this.lost()));
    if (deps.status.up) this.primary = this.makePrimary();
    deps.metrics?.shared(deps.options, this.isShared());
  }

  /** True while calls are paced on the shared bucket. */
  isShared(): boolean {
    return this.primary !== undefined && this.deps.status.up;
  }

  schedule<R>(options: { weight?: number }, fn: () => PromiseLike<R>): Promise<R> {
    if (this.stopped) return Promise.reject(new Error('this limiter has been stopped'));
    return new Promise<R>((resolve, reject) => {
      const ticket: Ticket = {
        weight: options.weight ?? 1,
        places: 0,
        settled: false,
        run: () => {
          Promise.resolve().then(fn).then(resolve, reject);
        },
        fail: reject,
      };
      if (this.isShared()) this.toPrimary(ticket);
      else this.toFallback(ticket);
    });
  }

  async updateSettings(options: LimiterSettings): Promise<void> {
    const settings = settingsOf(options);
    this.settings = { ...this.settings, ...settings };
    if (settings.reservoir !== undefined) this.lastSharedReservoir = undefined;
    const { reservoir: _reservoir, ...rest } = settings;
    const fallback = this.fallback;
    const primary = this.primary;
    const toFallback = fallback ? fallback.updateSettings(shareOf(settings, this.deps.status.replicas)) : undefined;
    if (primary && this.isShared()) {
      try {
        await primary.updateSettings(settings);
      } catch (err) {
        this.missed = { ...this.missed, ...rest };
        this.failed(primary, err);
      }
    } else {
      this.missed = { ...this.missed, ...rest };
    }
    await toFallback;
  }

  async currentReservoir(): Promise<number | null> {
    return this.read(
      (l) => l.currentReservoir(),
      (value) => {
        if (typeof value === 'number') this.lastSharedReservoir = value;
      },
    );
  }

  done(): Promise<number> {
    return this.read((l) => l.done());
  }

  running(): Promise<number> {
    return this.read((l) => l.running());
  }

  counts(): Bottleneck.Counts {
    const sum: Bottleneck.Counts = { RECEIVED: 0, QUEUED: 0, RUNNING: 0, EXECUTING: 0 };
    for (const limiter of [this.primary, this.fallback]) {
      if (!limiter) continue;
      const c = limiter.counts();
      sum.RECEIVED += c.RECEIVED;
      sum.QUEUED += c.QUEUED;
      sum.RUNNING += c.RUNNING;
      sum.EXECUTING += c.EXECUTING;
    }
    return sum;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe();
    await Promise.all([this.primary?.stop(), this.fallback?.stop()].map((p) => p?.catch(() => undefined)));
  }

  async disconnect(flush = false): Promise<void> {
    this.unsubscribe();
    await Promise.all([this.primary?.disconnect(flush), this.fallback?.disconnect(flush)].map((p) => p?.catch(() => undefined)));
  }

  private async read<T>(call: (l: Limiter) => Promise<T>, fromShared?: (value: T) => void): Promise<T> {
    const primary = this.primary;
    if (primary && this.isShared()) {
      try {
        const value = await call(primary);
        fromShared?.(value);
        return value;
      } catch (err) {
        this.failed(primary, err);
      }
    }
    return call(this.localLimiter());
  }

  private toPrimary(ticket: Ticket): void {
    const primary = this.primary!;
    ticket.places += 1;
    this.onPrimary.add(ticket);
    primary
      .schedule({ weight: ticket.weight }, async () => this.grant(ticket, false))
      .catch((err: unknown) => {
        ticket.places -= 1;
        this.onPrimary.delete(ticket);
        if (ticket.settled) return;
        if (this.stopped) return this.settle(ticket, () => ticket.fail(err));
        // bottleneck dropped the job: its Redis call failed. Straight to the fallback, so a failing
        // primary can never bounce a ticket back and forth.
        this.failed(primary, err);
        if (ticket.places === 0) this.toFallback(ticket);
      });
  }

  private toFallback(ticket: Ticket): void {
    const fallback = this.localLimiter();
    ticket.places += 1;
    this.onFallback.add(ticket);
    fallback
      .schedule({ weight: ticket.weight }, async () => this.grant(ticket, true))
      .catch((err: unknown) => {
        ticket.places -= 1;
        this.onFallback.delete(ticket);
        if (!ticket.settled && ticket.places === 0) this.settle(ticket, () => ticket.fail(err));
      });
  }

  private grant(ticket: Ticket, local: boolean): void {
    // Granted already by the other limiter: this slot goes unused.
    if (ticket.settled) return;
    if (local) this.deps.metrics?.localSlots(this.deps.options, ticket.weight);
    this.settle(ticket, () => ticket.run());
  }

  private settle(ticket: Ticket, then: () => void): void {
    ticket.settled = true;
    this.onPrimary.delete(ticket);
    this.onFallback.delete(ticket);
    then();
  }

  private failed(primary: SharedLimiter, err: unknown): void {
    if (primary === this.primary && this.deps.status.up) this.deps.status.reportFailure(err);
  }

  /** The fallback, built on first need in each outage from the latest settings and this replica's share. */
  private localLimiter(): Limiter {
    if (!this.fallback) {
      const known = this.lastSharedReservoir;
      const reservoir =
        known !== undefined && typeof this.settings.reservoir === 'number'
          ? Math.min(known, this.settings.reservoir)
          : this.settings.reservoir;
      const settings = shareOf({ ...this.settings, reservoir }, this.deps.status.replicas);
      this.fallback = this.deps.local({ ...this.deps.options, ...settings });
    }
    return this.fallback;
  }

  private makePrimary(): SharedLimiter {
    const primary = this.deps.shared({ ...this.deps.options, ...this.settings });
    primary.onError((err) => this.failed(primary, err));
    primary.ready().catch((err: unknown) => this.failed(primary, err));
    return primary;
  }

  /** Redis went away: whatever waits on the shared bucket waits on the local one as well. */
  private lost(): void {
    if (this.stopped) return;
    this.deps.metrics?.shared(this.deps.options, false);
    for (const ticket of [...this.onPrimary]) {
      this.onPrimary.delete(ticket);
      if (!ticket.settled) this.toFallback(ticket);
    }
  }

  /**
   * Redis is back. The shared limiter is built anew: one that lived through the outage may have missed its
   * set-up or its pub/sub subscription (bottleneck ignores a failed SUBSCRIBE) and would wait forever. It
   * joins the same bucket; what the outage hid from it is applied, and the local waiters move over.
   */
  private recovered(): void {
    if (this.stopped) return;
    const old = this.primary;
    this.primary = this.makePrimary();
    if (Object.keys(this.missed).length > 0) {
      const missed = this.missed;
      this.missed = {};
      const primary = this.primary;
      primary.updateSettings(missed).catch((err: unknown) => this.failed(primary, err));
    }
    this.deps.metrics?.shared(this.deps.options, true);
    if (old)
      void old
        .stop()
        .then(() => old.disconnect(false))
        .catch(() => undefined);
    const fallback = this.fallback;
    this.fallback = undefined;
    this.lastSharedReservoir = undefined;
    if (!fallback) return;
    for (const ticket of [...this.onFallback]) {
      if (!ticket.settled) this.toPrimary(ticket);
    }
    // Its waiters are on the shared bucket too now; stopping it releases them from here.
    void fallback
      .stop()
      .then(() => fallback.disconnect(false))
      .catch(() => undefined);
  }
}

/** Limiters on the buckets shared through `source`, each falling back to a local limiter built by `local`. */
export function failoverLimiterFactory(deps: {
  source: SharedLimiterSource;
  local: LimiterFactory;
  metrics?: LimiterMetrics;
}): LimiterFactory {
  return (options) =>
    new FailoverLimiter({
      options,
      status: deps.source,
      shared: (o) => deps.source.createShared(o),
      local: deps.local,
      metrics: deps.metrics,
    });
}
