import type { AxiosResponse } from 'axios';
import { UpstreamError, UpstreamTimeoutError, UpstreamUnavailableError, type AppError } from '../errors/app-error.js';
import { redactString } from '../log/redact.js';
import { classifyNetworkError, networkErrorCode } from '../net/network-error.js';
import { retryAfterOf } from '../net/retry-after.js';

const BODY_EVIDENCE_CHARS = 500;

/** A truncated, redacted copy of an upstream body, kept as evidence in error details. */
export function bodyEvidence(data: unknown): string {
  const text = typeof data === 'string' ? data : JSON.stringify(data ?? '');
  const clipped = text.length > BODY_EVIDENCE_CHARS ? `${text.slice(0, BODY_EVIDENCE_CHARS)}…` : text;
  return redactString(clipped).replace(/("(?:access_token|refresh_token|client_secret|password)"\s*:\s*)"[^"]*"/gi, '$1"[REDACTED]"');
}

/** Our error for an upstream's non-2xx answer: 503 → upstream_unavailable, anything else → upstream_error. */
export function errorFromResponse(upstream: string, operation: string, res: AxiosResponse, message?: string): AppError {
  const retryAfterMs = retryAfterOf(res, Date.now());
  const evidence = {
    upstream,
    operation,
    status: res.status,
    body: bodyEvidence(res.data),
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  };
  if (res.status === 503)
    return new UpstreamUnavailableError(message ?? `${upstream} is unavailable (${operation} answered 503)`, evidence);
  return new UpstreamError(message ?? `${upstream} answered ${res.status} to ${operation}`, evidence);
}

/** Our error for a call that got no answer: timeout → upstream_timeout, refused/reset → upstream_unavailable. */
export function errorFromNetwork(upstream: string, operation: string, err: unknown): AppError {
  const failure = classifyNetworkError(err);
  if (failure === 'timeout' || failure === 'aborted')
    return new UpstreamTimeoutError(`${upstream} did not answer ${operation} in time`, { upstream, operation }, err);
  return new UpstreamUnavailableError(
    `${upstream} cannot be reached (${networkErrorCode(err) ?? 'network error'})`,
    { upstream, operation },
    err,
  );
}
