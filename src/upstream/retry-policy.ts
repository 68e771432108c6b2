/**
 * When an upstream call is tried again. Pure, so every branch is unit-tested without I/O.
 *
 * - 429: the request was not processed; wait `Retry-After` (default 3 s) and retry any method, but
 *   give up when the upstream asks for more than 3 minutes (a daily quota, not a burst) — the
 *   Genesys Java SDK's policy (docs/genesys-cloud.md, 'Rate limits'), applied to ServiceNow too.
 * - 503 and a refused connection: not processed either, so any method is retried with backoff.
 * - 502, 504, a reset connection or a timeout: the upstream may have acted, so only idempotent
 *   requests are retried; a create goes through its correlation lookup instead (see action-runner).
 * - Nothing waits past the deadline: when the next wait would end after it, we stop at once.
 */

import { fixedBackoff } from '../net/backoff.js';
import type { NetworkFailure } from '../net/network-error.js';

/** What one attempt came to. */
export type AttemptOutcome = { kind: 'response'; status: number; retryAfterMs?: number } | { kind: 'network'; failure: NetworkFailure };

export interface RetryContext {
  /** 1 for the first attempt. */
  attempt: number;
  idempotent: boolean;
  remainingMs: number;
  /** Waits between attempts on 5xx/network failures, by attempt; the last one repeats. */
  backoffMs: readonly number[];
}

export type RetryDecision =
  | { retry: true; waitMs: number; reason: string }
  | { retry: false; reason: 'not_retryable' | 'deadline' | 'retry_after_too_long' | 'aborted' };

export const DEFAULT_RETRY_AFTER_MS = 3_000;
export const MAX_RETRY_AFTER_MS = 180_000;

function wait(waitMs: number, ctx: RetryContext, reason: string): RetryDecision {
  return waitMs < ctx.remainingMs ? { retry: true, waitMs, reason } : { retry: false, reason: 'deadline' };
}

export function decideRetry(outcome: AttemptOutcome, ctx: RetryContext): RetryDecision {
  const backoff = fixedBackoff(ctx.backoffMs, ctx.attempt);
  if (outcome.kind === 'response') {
    const { status } = outcome;
    if (status === 429) {
      const after = outcome.retryAfterMs ?? DEFAULT_RETRY_AFTER_MS;
      if (after > MAX_RETRY_AFTER_MS) return { retry: false, reason: 'retry_after_too_long' };
      return wait(after, ctx, '429');
    }
    if (status === 503)
      return wait(
        outcome.retryAfterMs !== undefined && outcome.retryAfterMs <= MAX_RETRY_AFTER_MS ? outcome.retryAfterMs : backoff,
        ctx,
        '503',
      );
    if ((status === 502 || status === 504) && ctx.idempotent) return wait(backoff, ctx, String(status));
    return { retry: false, reason: 'not_retryable' };
  }
  switch (outcome.failure) {
    case 'refused':
      return wait(backoff, ctx, 'refused');
    case 'reset':
    case 'timeout':
    case 'other':
      return ctx.idempotent ? wait(backoff, ctx, outcome.failure) : { retry: false, reason: 'not_retryable' };
    case 'aborted':
      return { retry: false, reason: 'aborted' };
  }
}
