import { RateLimitedError } from '../errors/app-error.js';
import type { Clock, Timer } from '../time/clock.js';
import type { Deadline } from './deadline.js';
import type { Limiter, LimiterFactory } from './limiter-factory.js';
import { headerNumber, SlotLease, type UpstreamPacer } from './upstream-pacer.js';

/** Of a limit the instance announces we use 90 %: other integrations may share the user's count. */
export const SERVICENOW_HEADROOM = 0.9;
const HOUR_MS = 3_600_000;

/**
 * Paces ServiceNow calls to an hourly budget. ServiceNow counts requests per user per clock hour
 * (`sys_rate_limit_rules`) and reports the rule on every answer as `X-RateLimit-Limit` and
 * `X-RateLimit-Reset` (unix seconds) — FACTS.md. The budget is the smaller of
 * SERVICENOW_RATE_LIMIT_PER_HOUR and 90 % of the announced limit; with neither there is no budget
 * and calls go out without touching a limiter at all (the common case, and the fast one).
 */
export class ServiceNowPacer implements UpstreamPacer {
  private limiter: Limiter | undefined;
  private lease: SlotLease | undefined;
  private announced: number | undefined;
  private budget: number | undefined;
  /** Wall-clock ms when the current window ends and the budget is whole again. */
  private windowEnd: number;
  private refillTimer: Timer | undefined;

  constructor(private readonly deps: { limiters: LimiterFactory; clock: Clock; budgetPerHour?: number }) {
    this.windowEnd = this.nextHour();
    this.retune();
  }

  acquire(deadline: Deadline, operation: string): Promise<void> | void {
    const limiter = this.limiter;
    // No budget known: nothing to wait for, and no promise to make on the hot path.
    if (!limiter || this.lease!.tryTake()) return;
    return this.acquireFrom(limiter, deadline, operation);
  }

  private async acquireFrom(limiter: Limiter, deadline: Deadline, operation: string): Promise<void> {
    const retryAfterMs = () => Math.max(1_000, this.windowEnd - this.deps.clock.now());
    // An empty budget only comes back when the window ends, usually long after any deadline.
    if ((await limiter.currentReservoir()) === 0 && retryAfterMs() >= deadline.remainingMs()) {
      throw new RateLimitedError(`trunkgate's hourly budget of ServiceNow calls (${this.budget}) is spent until the window resets`, retryAfterMs() / 1000, [
        { message: `servicenow ${operation} was not sent`, upstream: 'servicenow', operation },
      ]);
    }
    return this.lease!.take(deadline, { upstream: 'servicenow', operation, retryAfterMs });
  }

  observe(_status: number, headers: Record<string, unknown>): void {
    const limit = headerNumber(headers, 'x-ratelimit-limit');
    const resetSec = headerNumber(headers, 'x-ratelimit-reset');
    if (resetSec !== undefined && resetSec * 1000 > this.deps.clock.now() && Math.abs(resetSec * 1000 - this.windowEnd) >= 1_000) {
      this.windowEnd = resetSec * 1000;
      this.scheduleRefill();
    }
    if (limit !== undefined && limit >= 1 && limit !== this.announced) {
      this.announced = limit;
      this.retune();
    }
  }

  describe(): Record<string, unknown> {
    return { paced: this.limiter !== undefined, budgetPerHour: this.budget ?? null, announcedPerHour: this.announced ?? null, windowEndsAt: new Date(this.windowEnd).toISOString() };
  }

  async close(): Promise<void> {
    this.refillTimer?.cancel();
    await this.limiter?.disconnect(false);
  }

  private retune(): void {
    const fromInstance = this.announced === undefined ? undefined : Math.max(1, Math.floor(this.announced * SERVICENOW_HEADROOM));
    const candidates = [this.deps.budgetPerHour, fromInstance].filter((n): n is number => n !== undefined);
    const budget = candidates.length > 0 ? Math.min(...candidates) : undefined;
    if (budget === this.budget) return;
    const previous = this.budget;
    this.budget = budget;
    if (budget === undefined) return;
    if (!this.limiter) {
      this.limiter = this.deps.limiters({ id: 'servicenow-api', reservoir: budget });
      // A thousandth of the hourly budget per lease (at most 100): 1 for budgets under 2000 an hour.
      this.lease = new SlotLease(this.limiter, this.deps.clock, () => Math.min(100, Math.max(1, Math.floor((this.budget ?? 1) / 1000))));
      this.scheduleRefill();
      return;
    }
    // Keep what this window has already spent: the new budget minus the calls made so far.
    const limiter = this.limiter;
    void limiter.currentReservoir().then((left) => {
      const spent = (previous ?? budget) - (left ?? 0);
      return limiter.updateSettings({ reservoir: Math.max(0, budget - spent) });
    });
  }

  private scheduleRefill(): void {
    if (!this.limiter) return;
    this.refillTimer?.cancel();
    this.refillTimer = this.deps.clock.setTimer(this.windowEnd - this.deps.clock.now(), () => {
      this.windowEnd = Math.max(this.windowEnd + HOUR_MS, this.nextHour());
      if (this.budget !== undefined) void this.limiter?.updateSettings({ reservoir: this.budget });
      this.scheduleRefill();
    });
  }

  private nextHour(): number {
    const now = this.deps.clock.now();
    return Math.floor(now / HOUR_MS) * HOUR_MS + HOUR_MS;
  }
}
