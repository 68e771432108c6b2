/** Parses Retry-After (seconds or an HTTP date, RFC 9110 section 10.2.3) into milliseconds from `nowMs`. */
export function parseRetryAfter(value: string | undefined | null, nowMs: number): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** The Retry-After of an answer (axios lower-cases header names), in milliseconds from `nowMs`. */
export function retryAfterOf(res: { headers?: unknown }, nowMs: number): number | undefined {
  return parseRetryAfter((res.headers as Record<string, unknown> | undefined)?.['retry-after'] as string | undefined, nowMs);
}
