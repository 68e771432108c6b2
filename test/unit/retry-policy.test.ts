import { describe, expect, it } from 'vitest';
import { decideRetry, type AttemptOutcome } from '../../src/upstream/retry-policy.js';

const ctx = (over: Partial<Parameters<typeof decideRetry>[1]> = {}) => ({
  attempt: 1,
  idempotent: false,
  remainingMs: 10_000,
  backoffMs: [500, 1_500, 4_500],
  ...over,
});
const response = (status: number, retryAfterMs?: number): AttemptOutcome => ({
  kind: 'response',
  status,
  ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
});

describe('decideRetry', () => {
  it('waits Retry-After on a 429 and retries even a create (the request was not processed)', () => {
    expect(decideRetry(response(429, 2_000), ctx())).toEqual({ retry: true, waitMs: 2_000, reason: '429' });
  });

  it('waits 3 s on a 429 without Retry-After', () => {
    expect(decideRetry(response(429), ctx())).toMatchObject({ retry: true, waitMs: 3_000 });
  });

  it('gives up on a 429 asking for more than 3 minutes (a quota, not a burst)', () => {
    expect(decideRetry(response(429, 181_000), ctx({ remainingMs: 600_000 }))).toEqual({ retry: false, reason: 'retry_after_too_long' });
  });

  it('never waits past the deadline', () => {
    expect(decideRetry(response(429, 2_000), ctx({ remainingMs: 1_999 }))).toEqual({ retry: false, reason: 'deadline' });
    expect(decideRetry(response(503), ctx({ remainingMs: 400 }))).toEqual({ retry: false, reason: 'deadline' });
  });

  it('retries a 503 and a refused connection for any method, with backoff by attempt', () => {
    expect(decideRetry(response(503), ctx())).toMatchObject({ retry: true, waitMs: 500 });
    expect(decideRetry({ kind: 'network', failure: 'refused' }, ctx({ attempt: 2 }))).toMatchObject({ retry: true, waitMs: 1_500 });
    expect(decideRetry(response(503), ctx({ attempt: 9, remainingMs: 60_000 }))).toMatchObject({ retry: true, waitMs: 4_500 });
  });

  it('honours Retry-After on a 503 when the upstream sends one', () => {
    expect(decideRetry(response(503, 1_000), ctx())).toMatchObject({ retry: true, waitMs: 1_000 });
  });

  it('retries 502/504, resets and timeouts only for idempotent requests', () => {
    for (const outcome of [
      response(502),
      response(504),
      { kind: 'network', failure: 'reset' } as const,
      { kind: 'network', failure: 'timeout' } as const,
    ]) {
      expect(decideRetry(outcome, ctx({ idempotent: false }))).toEqual({ retry: false, reason: 'not_retryable' });
      expect(decideRetry(outcome, ctx({ idempotent: true }))).toMatchObject({ retry: true, waitMs: 500 });
    }
  });

  it('does not retry other answers or an abort', () => {
    for (const status of [400, 401, 403, 404, 409, 500])
      expect(decideRetry(response(status), ctx({ idempotent: true }))).toMatchObject({ retry: false });
    expect(decideRetry({ kind: 'network', failure: 'aborted' }, ctx({ idempotent: true }))).toEqual({ retry: false, reason: 'aborted' });
  });
});
