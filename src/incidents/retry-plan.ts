import { AppError } from '../errors/app-error.js';
import { equalJitterBackoff } from '../net/backoff.js';

/** How long to wait before the next attempt, and whether ServiceNow as a whole needs a rest. */
export interface RetryPlan {
  delayMs: number;
  /** ServiceNow is down, slow, rate-limiting or refusing our credentials: hold every delivery. */
  pauseAll: boolean;
  reason: string;
}

const RETRY_AFTER_CAP_MS = 3_600_000;

/** Exponential backoff with jitter; an upstream's Retry-After wins (docs/design.md, 'Outbox'). */
export function retryPlan(err: unknown, attempt: number, backoff: { baseMs: number; capMs: number }, random: () => number): RetryPlan {
  const jittered = equalJitterBackoff(attempt, backoff, random);
  if (!(err instanceof AppError)) return { delayMs: jittered, pauseAll: false, reason: (err as Error)?.message ?? String(err) };
  const evidence = (err.details[0] ?? {}) as { status?: number; retryAfterMs?: number };
  const status = evidence.status;
  const pauseAll =
    err.code === 'upstream_unavailable' || err.code === 'upstream_timeout' || status === 429 || status === 401 || status === 403;
  const delayMs = evidence.retryAfterMs !== undefined ? Math.min(RETRY_AFTER_CAP_MS, Math.max(0, evidence.retryAfterMs)) : jittered;
  return { delayMs, pauseAll, reason: err.message };
}
