import type { Clock } from '../clock.js';
import type { RateLimitRuleConfig } from './options.js';
import { newSysId } from './wire.js';

/** A rate-limit rule as a `sys_rate_limit_rules` record would hold it. */
export interface RateLimitRule extends RateLimitRuleConfig {
  /** Reported in `X-RateLimit-Rule`, as the instance reports the rule's sys_id. */
  sysId: string;
}

export interface RateLimitDecision {
  rule: RateLimitRule;
  allowed: boolean;
  /** Unix seconds when the user's count starts again (`X-RateLimit-Reset`). */
  resetAtSec: number;
  /** Seconds to wait when refused (`Retry-After`). */
  retryAfterSec: number;
}

/**
 * Counts requests per user in fixed windows aligned to the clock (ServiceNow counts per clock hour),
 * and refuses a user past the rule's limit until the window ends.
 */
export class RateLimiter {
  private rule: RateLimitRule | null = null;
  private readonly counts = new Map<string, { windowStart: number; count: number }>();

  constructor(
    private readonly clock: Clock,
    rule: RateLimitRuleConfig | null,
  ) {
    this.setRule(rule);
  }

  currentRule(): RateLimitRule | null {
    return this.rule ? { ...this.rule } : null;
  }

  /** Replaces the rule (null = no rule) and starts every user's count again. */
  setRule(rule: RateLimitRuleConfig | null): RateLimitRule | null {
    this.rule = rule ? { ...rule, sysId: newSysId() } : null;
    this.counts.clear();
    return this.currentRule();
  }

  /** Counts one request for `username`; null when no rule applies. */
  check(username: string): RateLimitDecision | null {
    const rule = this.rule;
    if (!rule) return null;
    const nowSec = this.clock() / 1000;
    const windowStart = Math.floor(nowSec / rule.windowSec) * rule.windowSec;
    const resetAtSec = windowStart + rule.windowSec;
    let entry = this.counts.get(username);
    if (!entry || entry.windowStart !== windowStart) {
      entry = { windowStart, count: 0 };
      this.counts.set(username, entry);
    }
    const allowed = entry.count < rule.limit;
    if (allowed) entry.count += 1;
    return { rule: { ...rule }, allowed, resetAtSec, retryAfterSec: Math.max(1, Math.ceil(resetAtSec - nowSec)) };
  }

  resetCounts(): void {
    this.counts.clear();
  }
}
