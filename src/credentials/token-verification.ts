import type { Logger } from '../log/logger.js';
import { exponentialBackoff } from '../net/backoff.js';
import type { Clock } from '../time/clock.js';
import type { HeldToken, TokenVerifier } from './token-types.js';

const VERIFY_BACKOFF = { baseMs: 50, capMs: 250 };
/**
 * How long a new token may take to be accepted before it is promoted unverified (a verifier that
 * never answers must not block rotation for ever). Callers whose old token reaches its hard deadline
 * meanwhile wait on this refresh instead of getting a token the upstream still refuses.
 */
export const VERIFY_MAX_MS = 10_000;

/**
 * Waits until the upstream accepts a new token (Genesys propagation lag), asking again with a short
 * backoff, and marks it verified with its scopes; returns how long that took. The old token, if still
 * usable, keeps serving meanwhile: promoting the new one earlier would only turn the wait into 401s
 * and re-auths. After VERIFY_MAX_MS it gives up waiting and the token is promoted unverified.
 */
export async function awaitAcceptance(verifier: TokenVerifier, token: HeldToken, clock: Clock, log: Logger): Promise<number> {
  const started = clock.monotonic();
  const deadline = started + VERIFY_MAX_MS;
  let lastDetail: string;
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await verifier.verify(token.value);
      if (result.status === 'valid') {
        token.verified = true;
        token.scopes = result.scopes;
        return clock.monotonic() - started;
      }
      lastDetail = result.detail;
    } catch (err) {
      lastDetail = (err as Error).message;
    }
    const delay = exponentialBackoff(attempt, VERIFY_BACKOFF);
    if (clock.monotonic() + delay >= deadline) {
      log.warn('new token not yet accepted by the upstream; promoting it unverified', {
        waitedMs: Math.round(clock.monotonic() - started),
        detail: lastDetail,
      });
      return clock.monotonic() - started;
    }
    await clock.sleep(delay);
  }
}

/**
 * The required OAuth scopes a verified token lacks. A token whose `authorizedScope` is empty is not
 * judged: what Genesys lists there for a client-credentials token (whose access comes from roles) is
 * unconfirmed, and an empty list must not fail every token. Permissions are never scopes (config
 * refuses them); they are checked by calling the API.
 */
export function missingScopes(token: HeldToken, required: readonly string[], log: Logger): string[] {
  if (!token.verified) return [];
  const missing = scopesMissing(token.scopes, required);
  if (missing === undefined) {
    log.warn('GENESYS_REQUIRED_SCOPES not checked: Genesys lists no OAuth scopes for this token', { required });
    return [];
  }
  return missing;
}

/**
 * The required scopes `scopes` (a token's `authorizedScope`) lacks; undefined when it lists none, which
 * is not judged (see `missingScopes`). Shared with `trunkgate doctor`.
 */
export function scopesMissing(scopes: readonly string[], required: readonly string[]): string[] | undefined {
  if (required.length === 0) return [];
  if (scopes.length === 0) return undefined;
  return required.filter((s) => !scopes.includes(s));
}
