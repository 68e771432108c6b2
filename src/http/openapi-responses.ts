/** Response objects shared by every path of the OpenAPI document. */

const ERROR_REF = { $ref: '#/components/schemas/Error' };

/** A JSON response with that schema. */
export const jsonResponse = (schema: unknown, description: string) => ({ description, content: { 'application/json': { schema } } });

/** An error response: always the shared Error schema. */
export const errorResponse = (description: string) => jsonResponse(ERROR_REF, description);

export const INTERNAL = 'internal: a bug on our side; the log line with the same requestId has the cause';
const JWKS_DOWN = 'upstream_unavailable when the JWKS that verifies JWT callers cannot be fetched';
export const STORE_UNAVAILABLE = `store_unavailable: the store (PostgreSQL) cannot be reached; nothing was recorded, retry after Retry-After (or ${JWKS_DOWN})`;

/** A /v1 operation's 403: the permission it needs, as the refusal names it. */
export const forbidden = (permission: string) =>
  `forbidden: the caller lacks the permission ${permission} (error.details[0].permission names it)`;

/**
 * The error responses of a /v1 operation: 401, 403, 429, 500 and 503 always (caller authentication,
 * the operation's permission and the caller's rate limit are checked before anything else, and
 * verifying a JWT may need the JWKS), plus `extra` by status (which may reword those).
 */
export function v1Errors(permission: string, extra: Record<number, string> = {}): Record<string, unknown> {
  const all: Record<number, string> = {
    401: 'unauthorized: missing or wrong caller credentials (WWW-Authenticate names the accepted schemes)',
    403: forbidden(permission),
    429: "rate_limited: over the caller's requests per minute (GATEWAY_CALLER_RATE_LIMIT or its own); Retry-After says when to resend",
    500: INTERNAL,
    503: JWKS_DOWN,
    ...extra,
  };
  return Object.fromEntries(Object.entries(all).map(([status, text]) => [status, errorResponse(text)]));
}
