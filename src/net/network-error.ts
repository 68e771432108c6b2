import axios from 'axios';

/**
 * Why a request got no answer, as far as retrying is concerned:
 * - `refused`: it never reached the upstream (refused, DNS, no route), so it is safe to send again;
 * - `reset` / `timeout` / `other`: the upstream may have acted on it;
 * - `aborted`: the caller went away (an AbortSignal), nobody waits for an answer any more.
 */
export type NetworkFailure = 'refused' | 'reset' | 'timeout' | 'aborted' | 'other';

const REFUSED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
const RESET = new Set(['ECONNRESET', 'EPIPE']);
const TIMEOUT = new Set(['ETIMEDOUT', 'ECONNABORTED']);

/** The error code of a failed request (axios copies Node's socket code), if any. */
export function networkErrorCode(err: unknown): string | undefined {
  const code = axios.isAxiosError(err) ? err.code : (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The one classification of a request that got no answer (every retry and error message follows it). */
export function classifyNetworkError(err: unknown): NetworkFailure {
  const code = networkErrorCode(err);
  const name = (err as Error | null)?.name;
  if (name === 'AbortError' || name === 'CanceledError' || code === 'ERR_CANCELED') return 'aborted';
  if (code !== undefined && TIMEOUT.has(code)) return 'timeout';
  if (code !== undefined && REFUSED.has(code)) return 'refused';
  if (code !== undefined && RESET.has(code)) return 'reset';
  return 'other';
}

/** True for errors where the request never reached the upstream or got no answer (refused, reset, timeout, DNS). */
export function isNetworkError(err: unknown): err is Error & { code?: string } {
  return axios.isAxiosError(err) && err.response === undefined;
}

/** A short, redacted description of a network error: its code, never the request config. */
export function networkErrorText(err: unknown): string {
  if (axios.isAxiosError(err)) return classifyNetworkError(err) === 'timeout' ? 'timed out' : (err.code ?? 'network error');
  return err instanceof Error ? err.message : String(err);
}
