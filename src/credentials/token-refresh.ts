import type { Logger } from '../log/logger.js';
import type { Clock } from '../time/clock.js';
import type { CredentialsMetrics } from './credentials-metrics.js';
import type { CredentialsTrail } from './credentials-trail.js';
import { clockSkewMs, grantLifetimeMs, newHeldToken } from './token-timing.js';
import type { SharedToken, TokenStore } from './token-store.js';
import { MissingScopesError, type HeldToken, type TokenIssuer, type TokenVerifier } from './token-types.js';
import { awaitAcceptance, missingScopes, VERIFY_MAX_MS } from './token-verification.js';

/** The cluster refresh lock outlives the longest healthy refresh (token request plus VERIFY_MAX_MS). */
const LOCK_TTL_MS = 30_000;
/** How often a replica waiting on another's refresh looks for the token it shares. */
const LOCK_POLL_MS = 200;

/** What a TokenBroker lends the steps of one refresh: its settings, and the state they read and change. */
export interface RefreshHost {
  readonly upstream: string;
  /** Where the token is shared (the upstream's name; with several connections, `<upstream>:<connection>`). */
  readonly storeKey: string;
  readonly options: {
    issuer: TokenIssuer;
    verifier?: TokenVerifier;
    store: TokenStore;
    clock: Clock;
    metrics: CredentialsMetrics;
    bufferMs: number;
    requiredScopes?: string[];
    connection?: string;
    trail?: CredentialsTrail;
  };
  readonly log: Logger;
  readonly random: () => number;
  current(): HeldToken | undefined;
  usable(token: HeldToken): boolean;
  promote(token: HeldToken, propagationMs: number | undefined): void;
  /** The issuer handed back the current token: it is the only one to be had until `untilMono`. */
  reissued(untilMono: number): void;
  skewMeasured(skewMs: number): void;
}

/**
 * Adopts a newer token another replica stored, or fetches, verifies and promotes a new one under the
 * cluster refresh lock. The lock only saves token requests; it is never a reason to fail a caller:
 * when the store cannot be reached, or another replica holds the lock longer than a healthy refresh
 * takes without sharing a token (it may have died mid-refresh), this replica refreshes on its own.
 */
export async function obtainToken(h: RefreshHost): Promise<{ token: HeldToken; adopted: boolean }> {
  const { store, clock } = h.options;
  const shared = await readShared(h);
  if (shared) return { token: adopt(h, shared), adopted: true };
  const waitStarted = clock.monotonic();
  const patienceUntil = waitStarted + lockPatienceMs(h);
  for (;;) {
    let ran = false;
    let result: { acquired: true; value: { token: HeldToken; adopted: boolean } } | { acquired: false };
    try {
      result = await store.withRefreshLock(h.storeKey, LOCK_TTL_MS, async () => {
        ran = true;
        // Check again under the lock: another replica may have shared a token and released the lock
        // between our read above and our acquiring it (seen with 3 replicas: a second token request).
        const fresh = await readShared(h);
        if (fresh) return { token: adopt(h, fresh), adopted: true };
        return { token: await fetchAndPromote(h), adopted: false };
      });
    } catch (err) {
      if (ran) throw err;
      h.log.warn('refresh lock unavailable; refreshing on our own', { err });
      return { token: await fetchAndPromote(h), adopted: false };
    }
    if (result.acquired) return result.value;
    if (clock.monotonic() >= patienceUntil) {
      h.log.warn('another replica holds the refresh lock without sharing a token; refreshing on our own', {
        waitedMs: Math.round(clock.monotonic() - waitStarted),
      });
      return { token: await fetchAndPromote(h), adopted: false };
    }
    await clock.sleep(LOCK_POLL_MS);
    const fresh = await readShared(h);
    if (fresh) return { token: adopt(h, fresh), adopted: true };
  }
}

/** How long to wait on another replica's refresh: until our own token's hard deadline, and at least as long as a healthy refresh may verify. */
function lockPatienceMs(h: RefreshHost): number {
  const t = h.current();
  const untilHard = t && h.usable(t) ? t.expiresAtMono - t.hardBufferMs - h.options.clock.monotonic() : 0;
  return Math.min(LOCK_TTL_MS, Math.max(VERIFY_MAX_MS, untilHard));
}

async function readShared(h: RefreshHost): Promise<SharedToken | undefined> {
  try {
    const shared = await h.options.store.read(h.storeKey);
    const current = h.current();
    const now = h.options.clock.now();
    const isNewer = shared && shared.value !== current?.value && shared.obtainedAtWall > (current?.obtainedAtWall ?? 0);
    if (shared && isNewer && shared.expiresAtWall - now > Math.min(h.options.bufferMs, shared.lifetimeMs / 4)) return shared;
  } catch (err) {
    h.log.warn('token store unreachable; refreshing on our own', { err });
  }
  return undefined;
}

function adopt(h: RefreshHost, shared: SharedToken): HeldToken {
  const { clock } = h.options;
  const sinceObtained = clock.now() - shared.obtainedAtWall;
  const token = makeHeld(h, shared.value, clock.monotonic() - sinceObtained, shared.obtainedAtWall, shared.lifetimeMs);
  token.verified = shared.verified;
  token.scopes = shared.scopes;
  h.promote(token, undefined);
  return token;
}

async function fetchAndPromote(h: RefreshHost): Promise<HeldToken> {
  const { issuer, clock } = h.options;
  const grant = await issuer.requestToken();
  const skewMs = clockSkewMs(grant);
  if (skewMs !== undefined) h.skewMeasured(skewMs);
  const lifetimeMs = grantLifetimeMs(grant);
  const current = h.current();
  const token = makeHeld(h, grant.accessToken, grant.sentAtMono, grant.sentAtWall, lifetimeMs);
  if (current !== undefined && grant.accessToken === current.value) {
    // ServiceNow hands back the token it already gave while that one is valid (docs/servicenow.md, 'Authentication'): no rotation
    // happened and none can be forced. Serve it to its end and ask again just after it expires.
    // The issuer vouches for it: a refusal that sent us here was not about the token itself.
    current.invalidated = false;
    const untilMono = Math.min(current.expiresAtMono, token.expiresAtMono);
    h.reissued(untilMono);
    h.log.info('token endpoint returned the current token; asking again when it expires', {
      expiresInMs: Math.round(untilMono - clock.monotonic()),
    });
    return current;
  }
  const propagationMs = h.options.verifier ? await awaitAcceptance(h.options.verifier, token, clock, h.log) : undefined;
  const missing = missingScopes(token, h.options.requiredScopes ?? [], h.log);
  if (missing.length > 0) throw new MissingScopesError(h.upstream, missing);
  h.promote(token, propagationMs);
  // Recorded here, by the replica that obtained it: one that adopts it from the shared store reports nothing.
  h.options.trail?.rotated({
    upstream: h.upstream,
    connection: h.options.connection,
    at: clock.now(),
    verified: token.verified,
    propagationMs: propagationMs === undefined ? undefined : Math.round(propagationMs),
    expiresAt: token.expiresAtWall,
    previousExpiresAt: current?.expiresAtWall,
  });
  await h.options.store
    .write(h.storeKey, {
      value: token.value,
      obtainedAtWall: token.obtainedAtWall,
      expiresAtWall: token.expiresAtWall,
      lifetimeMs: token.lifetimeMs,
      verified: token.verified,
      scopes: token.scopes,
    })
    .catch((err: unknown) => h.log.warn('could not share the new token', { err }));
  return token;
}

function makeHeld(h: RefreshHost, value: string, obtainedAtMono: number, obtainedAtWall: number, lifetimeMs: number): HeldToken {
  return newHeldToken({ value, obtainedAtMono, obtainedAtWall, lifetimeMs }, h.options.bufferMs, h.random);
}
