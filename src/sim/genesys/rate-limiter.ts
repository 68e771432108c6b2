import type { Clock } from '../clock.js';

const WINDOW_MS = 60_000;

/** What one counted request learned about its token's window (the `inin-ratelimit-*` headers). */
export interface RateDecision {
  allowed: boolean;
  /** Requests counted in the current window, this one included. */
  count: number;
  limit: number;
  /** Whole seconds until the window resets (at least 1). */
  resetSec: number;
}

interface Window {
  startedAt: number;
  count: number;
}

/**
 * Fixed 60 s window per access token, started by the token's first call — Genesys counts
 * `token.rate.per.minute` per token (docs/genesys-cloud.md, 'Rate limits'). All time comes from the injected clock.
 */
export class RateLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly clock: Clock,
    public limitPerMinute: number,
  ) {}

  /** Counts one request against `key`'s window. */
  hit(key: string): RateDecision {
    return this.decide(key, 1);
  }

  /** The window as it stands, without counting (for answers that are refused anyway). */
  peek(key: string): RateDecision {
    return this.decide(key, 0);
  }

  private decide(key: string, cost: number): RateDecision {
    const now = this.clock();
    let w = this.windows.get(key);
    if (!w || now >= w.startedAt + WINDOW_MS) {
      if (this.windows.size > 10_000) this.prune(now);
      w = { startedAt: now, count: 0 };
      this.windows.set(key, w);
    }
    w.count += cost;
    const resetSec = Math.max(1, Math.ceil((w.startedAt + WINDOW_MS - now) / 1000));
    return { allowed: w.count <= this.limitPerMinute, count: w.count, limit: this.limitPerMinute, resetSec };
  }

  clear(): void {
    this.windows.clear();
  }

  private prune(now: number): void {
    for (const [key, w] of this.windows) if (now >= w.startedAt + WINDOW_MS) this.windows.delete(key);
  }
}
