import { AxiosError } from 'axios';
import { describe, expect, it } from 'vitest';
import { equalJitterBackoff, exponentialBackoff, fixedBackoff, fullJitterBackoff } from '../../src/net/backoff.js';
import { createHttpClient, USER_AGENT } from '../../src/net/http-client.js';
import { classifyNetworkError, isNetworkError, networkErrorCode, networkErrorText } from '../../src/net/network-error.js';
import { parseRetryAfter, retryAfterOf } from '../../src/net/retry-after.js';

const axiosFailure = (code: string) => new AxiosError(`failed: ${code}`, code);

describe('classifyNetworkError', () => {
  it.each([
    ['ECONNREFUSED', 'refused'],
    ['ENOTFOUND', 'refused'],
    ['EAI_AGAIN', 'refused'],
    ['EHOSTUNREACH', 'refused'],
    ['ENETUNREACH', 'refused'],
    ['ECONNRESET', 'reset'],
    ['EPIPE', 'reset'],
    ['ETIMEDOUT', 'timeout'],
    ['ECONNABORTED', 'timeout'],
    ['ERR_CANCELED', 'aborted'],
    ['ERR_BAD_RESPONSE', 'other'],
  ])('an axios error %s is %s', (code, failure) => {
    expect(classifyNetworkError(axiosFailure(code))).toBe(failure);
  });

  it('reads the code of a plain Node error too, and an AbortError or CanceledError by name', () => {
    expect(classifyNetworkError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe('refused');
    expect(classifyNetworkError(Object.assign(new Error('aborted'), { name: 'AbortError' }))).toBe('aborted');
    expect(classifyNetworkError(Object.assign(new Error('canceled'), { name: 'CanceledError' }))).toBe('aborted');
    expect(classifyNetworkError(new Error('no code'))).toBe('other');
    expect(classifyNetworkError(undefined)).toBe('other');
  });

  it('names the code, or says "timed out", never the request', () => {
    expect(networkErrorCode(axiosFailure('ECONNRESET'))).toBe('ECONNRESET');
    expect(networkErrorCode(new Error('x'))).toBeUndefined();
    expect(networkErrorText(axiosFailure('ETIMEDOUT'))).toBe('timed out');
    expect(networkErrorText(axiosFailure('ECONNABORTED'))).toBe('timed out');
    expect(networkErrorText(axiosFailure('ECONNREFUSED'))).toBe('ECONNREFUSED');
    expect(networkErrorText(new AxiosError('no code'))).toBe('network error');
    expect(networkErrorText(new Error('plain'))).toBe('plain');
  });

  it('takes only an axios error without a response for a network error', () => {
    expect(isNetworkError(axiosFailure('ECONNREFUSED'))).toBe(true);
    const answered = new AxiosError('bad', 'ERR_BAD_RESPONSE', undefined, undefined, { status: 500 } as never);
    expect(isNetworkError(answered)).toBe(false);
    expect(isNetworkError(new Error('x'))).toBe(false);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');
  it('reads seconds and HTTP dates, and nothing else', () => {
    expect(parseRetryAfter('30', now)).toBe(30_000);
    expect(parseRetryAfter(' 2 ', now)).toBe(2_000);
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:59:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it('takes it from an answer’s headers', () => {
    expect(retryAfterOf({ headers: { 'retry-after': '3' } }, now)).toBe(3_000);
    expect(retryAfterOf({ headers: {} }, now)).toBeUndefined();
    expect(retryAfterOf({}, now)).toBeUndefined();
  });
});

describe('backoff', () => {
  const schedule = { baseMs: 1_000, capMs: 60_000 };
  it('doubles from the base up to the cap', () => {
    expect([1, 2, 3, 6, 7, 50, 5_000].map((a) => exponentialBackoff(a, schedule))).toEqual([
      1_000, 2_000, 4_000, 32_000, 60_000, 60_000, 60_000,
    ]);
    expect(exponentialBackoff(0, schedule)).toBe(1_000);
  });

  it('full jitter spreads over [0, ceiling], equal jitter over [half, ceiling]', () => {
    expect(fullJitterBackoff(3, schedule, () => 0)).toBe(0);
    expect(fullJitterBackoff(3, schedule, () => 0.5)).toBe(2_000);
    expect(fullJitterBackoff(3, schedule, () => 1)).toBe(4_000);
    expect(equalJitterBackoff(3, schedule, () => 0)).toBe(2_000);
    expect(equalJitterBackoff(3, schedule, () => 1)).toBe(4_000);
    expect(equalJitterBackoff(30, schedule, () => 1)).toBe(60_000);
  });

  it('a fixed list is read by attempt, its last wait repeating', () => {
    const waits = [3_000, 9_000, 27_000];
    expect([1, 2, 3, 4, 10].map((a) => fixedBackoff(waits, a))).toEqual([3_000, 9_000, 27_000, 27_000, 27_000]);
    expect(fixedBackoff([], 1)).toBe(0);
  });
});

describe('createHttpClient', () => {
  it('refuses a base URL that is not http(s), and sends trunkgate’s User-Agent', () => {
    expect(() => createHttpClient({ baseURL: 'ftp://example.com', timeoutMs: 1_000 })).toThrow(/must be http\(s\)/);
    const client = createHttpClient({ baseURL: 'https://example.com/api//', timeoutMs: 1_000 });
    expect(client.defaults.baseURL).toBe('https://example.com/api');
    expect(client.defaults.headers['User-Agent']).toBe(USER_AGENT);
    expect(USER_AGENT).toMatch(/^trunkgate\/\d+\.\d+\.\d+/);
  });
});
