import { fullJitterBackoff } from '../net/backoff.js';
import { MissingScopesError, TokenEndpointError, type HeldToken } from './token-types.js';

const TRANSIENT_BACKOFF = { baseMs: 1_000, capMs: 60_000 };
/** Refused credentials are tried again this rarely: a person must fix them first. */
const PERMANENT_RETRY_MS = 5 * 60_000;
/** A 403 this soon after promotion (and before any success) may still be propagation. */
const JUST_ROTATED_MS = 120_000;

/**
 * When to try a failed token refresh again. Refused credentials (or missing scopes) are permanent:
 * every few minutes. Anything else backs off with full jitter, waits at least the endpoint's
 * Retry-After, and — while an old token is still served and no Retry-After was given — tries again
 * before that token's hard deadline (`servedForMs` left of it).
 */
export function refreshRetry(
  err: Error,
  o: { consecutiveFailures: number; random: () => number; servedForMs?: number },
): { permanent: boolean; delayMs: number } {
  if (err instanceof MissingScopesError || (err instanceof TokenEndpointError && err.kind === 'permanent'))
    return { permanent: true, delayMs: PERMANENT_RETRY_MS };
  const retryAfter = err instanceof TokenEndpointError ? err.info.retryAfterMs : undefined;
  let delayMs = Math.max(retryAfter ?? 0, fullJitterBackoff(o.consecutiveFailures, TRANSIENT_BACKOFF, o.random));
  if (o.servedForMs !== undefined && retryAfter === undefined) delayMs = Math.min(delayMs, Math.max(100, o.servedForMs / 2));
  return { permanent: false, delayMs };
}

/**
 * Whether another token can help after an upstream refused `refused` with `status` (401/403).
 * `reissued`: the issuer already handed this very token back when asked for a new one (ServiceNow does
 * while it is valid). That, or a token that was itself the re-auth and is refused again, says the
 * refusal is not about the token (a missing role, say): another token cannot help, and asking for one
 * on every refused call would only hammer the token endpoint. A 403 on a token the upstream already
 * accepted, or long after its rotation, is a permission problem, not propagation.
 */
export function reauthCanHelp(refused: HeldToken, o: { status: number; reissued: boolean; now: number }): boolean {
  if (o.reissued || refused.issuedForRetry) return false;
  if (o.status !== 403) return true;
  const justRotated = o.now - refused.obtainedAtWall < JUST_ROTATED_MS;
  return !refused.accepted && justRotated;
}
