import { RateLimitedError } from '../errors/app-error.js';
import type { Clock, Timer } from '../time/clock.js';
import type { Deadline } from '../net/deadline.js';
import type { Limiter, LimiterFactory } from './limiter-factory.js';
import { headerNumber, SlotLease, type UpstreamPacer } from './upstream-pacer.js';

/** Of a limit the instance announces we use 90 %: other integrations may share the user's count. */
export const SERVICENOW_HEADROOM = 0.9;
const HOUR_MS = 3_600_000;

/**
 * Paces ServiceNow calls to an hourly budget. ServiceNow counts requests per user per clock hour
 * (`sys_rate_limit_rules`) and reports the rule on every answer as `X-RateLimit-Limit` and
 * `X-RateLimit-Reset` (unix seconds) — docs/servicenow.md, 'Rate limits'. The budget is the smaller of
 * SERVICENOW_RATE_LIMIT_PER_HOUR and 90 % of the announced limit; with neither there is no budget
 * and calls go out without touching a limiter at all (the common case, and the fast one).
 *
 * Each window has a bucket of its own (`servicenow-api:<window end>`): with replicas sharing buckets
 * through Redis, the first replica to reach a window creates its bucket full and the others join it, so
 * the hourly refill happens once for the cluster, never once per replica. The bucket's fill is always
 * derived as budget − calls made in the window (counted by the bucket), so any replica can apply a new
 * budget and they all arrive at the same figure.
 */
export class ServiceNowPacer implements UpstreamPacer {
  private window: { end: number; limiter: Limiter } | undefined;
  private readonly lease: SlotLease;
  private announced: number | undefined;
  private budget: number | undefined;
  /** Wall-clock ms when the current window ends and the budget is whole again. */
  private windowEnd: number;
  private refillTimer: Timer | undefined;

  /** `connection`: with a connections file, the instance's name — its own buckets (`servicenow-api:<instance>:<window end>`) and metric label. */
  constructor(private readonly deps: { limiters: LimiterFactory; clock: Clock; budgetPerHour?: number; connection?: string }) {
    this.windowEnd = this.nextHour();
    // A thousandth of the hourly budget per lease (at most 100): 1 for budgets under 2000 an hour.
    this.lease = new SlotLease(
      () => this.window!.limiter,
      deps.clock,
      () => Math.min(100, Math.max(1, Math.floor((this.budget ?? 1) / 1000))),
    );
    this.budget = this.targetBudget();
    if (this.budget !== undefined) this.openWindow('lower');
  }

  acquire(deadline: Deadline, operation: string): Promise<void> | void {
    const limiter = this.window?.limiter;
    // No budget known: nothing to wait for, and no promise to make on the hot path.
    if (!limiter || this.lease.tryTake()) return;
    return this.acquireFrom(limiter, deadline, operation);
  }

  private async acquireFrom(limiter: Limiter, deadline: Deadline, operation: string): Promise<void> {
    const retryAfterMs = () => Math.max(1_000, this.windowEnd - this.deps.clock.now());
    // An empty budget only comes back when the window ends, usually long after any deadline.
    if ((await limiter.currentReservoir()) === 0 && retryAfterMs() >= deadline.remainingMs()) {
      throw new RateLimitedError(
        `trunkgate's hourly budget of ServiceNow calls (${this.budget}) is spent until the window resets`,
        retryAfterMs() / 1000,
        [{ message: `servicenow ${operation} was not sent`, upstream: 'servicenow', operation }],
      );
    }
    return this.lease.take(deadline, { upstream: 'servicenow', operation, retryAfterMs });
  }

  observe(_status: number, headers: Record<string, unknown>): void {
    const limit = headerNumber(headers, 'x-ratelimit-limit');
    const resetSec = headerNumber(headers, 'x-ratelimit-reset');
    let moved = false;
    if (resetSec !== undefined && resetSec * 1000 > this.deps.clock.now() && Math.abs(resetSec * 1000 - this.windowEnd) >= 1_000) {
      this.windowEnd = resetSec * 1000;
      moved = true;
    }
    if (limit !== undefined && limit >= 1 && limit !== this.announced) this.announced = limit;
    const budget = this.targetBudget();
    const changed = budget !== this.budget;
    this.budget = budget;
    if (budget === undefined) return;
    // The window ServiceNow announces is the one every replica will key its bucket on: join it now.
    if (!this.window || moved) this.openWindow(changed ? 'set' : 'lower');
    else if (changed) void this.reconcile(this.window.limiter, 'set');
  }

  describe(): Record<string, unknown> {
    return {
      paced: this.window !== undefined,
      budgetPerHour: this.budget ?? null,
      announcedPerHour: this.announced ?? null,
      windowEndsAt: new Date(this.windowEnd).toISOString(),
    };
  }

  async close(): Promise<void> {
    this.refillTimer?.cancel();
    await this.window?.limiter.disconnect(false);
  }

  private targetBudget(): number | undefined {
    const fromInstance = this.announced === undefined ? undefined : Math.max(1, Math.floor(this.announced * SERVICENOW_HEADROOM));
    const candidates = [this.deps.budgetPerHour, fromInstance].filter((n): n is number => n !== undefined);
    return candidates.length > 0 ? Math.min(...candidates) : undefined;
  }

  /**
   * Switches to the bucket of the window ending at `windowEnd`, created full if no replica has it yet.
   * `lower` brings a bucket another replica created with a bigger budget down to ours; `set` applies a
   * budget this replica has just learned, up or down.
   */
  private openWindow(mode: 'set' | 'lower'): void {
    const old = this.window;
    const connection = this.deps.connection;
    const limiter = this.deps.limiters({
      id: `servicenow-api:${connection === undefined ? '' : `${connection}:`}${Math.round(this.windowEnd / 1000)}`,
      upstream: 'servicenow',
      ...(connection === undefined ? {} : { connection }),
      reservoir: this.budget,
    });
    this.window = { end: this.windowEnd, limiter };
    void this.reconcile(limiter, mode);
    // Callers still waiting on the old window's empty bucket are let go; their leases retry on the new one.
    if (old)
      void old.limiter
        .stop()
        .then(() => old.limiter.disconnect(false))
        .catch(() => undefined);
    this.scheduleRefill();
  }

  /** Makes the bucket hold budget − calls made in its window (reads are not atomic: a call or two may slip past). */
  private async reconcile(limiter: Limiter, mode: 'set' | 'lower'): Promise<void> {
    const budget = this.budget;
    if (budget === undefined) return;
    try {
      const [left, done, running] = await Promise.all([limiter.currentReservoir(), limiter.done(), limiter.running()]);
      const target = Math.max(0, budget - done - running);
      if (mode === 'set' ? left !== target : left === null || left > target) await limiter.updateSettings({ reservoir: target });
    } catch {
      // A limiter that cannot be read reports that itself (the shared one falls back); the bucket keeps its fill.
    }
  }

  private scheduleRefill(): void {
    this.refillTimer?.cancel();
    this.refillTimer = this.deps.clock.setTimer(this.windowEnd - this.deps.clock.now(), () => {
      this.windowEnd = Math.max(this.windowEnd + HOUR_MS, this.nextHour());
      this.openWindow('lower');
    });
  }

  private nextHour(): number {
    const now = this.deps.clock.now();
    return Math.floor(now / HOUR_MS) * HOUR_MS + HOUR_MS;
  }
}
