import { decodeJwt } from 'jose';
import type { HeldToken, TokenGrant } from './token-types.js';

/**
 * The two deadlines of a token's life (README "Token refresh"):
 * - hard buffer: a token is never handed out with less than this left. It is the configured buffer,
 *   clamped to a quarter of the lifetime so short-lived tokens stay usable (60 s token, 15 s buffer →
 *   15 s; 10 s token → 2.5 s);
 * - soft refresh: a background refresh starts at 80–90 % of the lifetime (jittered so replicas spread
 *   out), but always leaves min(10 % of the lifetime, 30 s) before the hard deadline for the new token
 *   to be fetched and verified while the old one is still served.
 */
export function tokenDeadlines(
  lifetimeMs: number,
  bufferMs: number,
  random: () => number = Math.random,
): { hardBufferMs: number; softAfterMs: number } {
  const hardBufferMs = Math.min(bufferMs, lifetimeMs / 4);
  const allowance = Math.min(lifetimeMs * 0.1, 30_000);
  const jittered = lifetimeMs * (0.8 + 0.1 * random());
  const latest = lifetimeMs - hardBufferMs - allowance;
  const softAfterMs = jittered <= latest ? jittered : latest - random() * lifetimeMs * 0.02;
  return { hardBufferMs, softAfterMs: Math.max(0, softAfterMs) };
}

/** A grant's lifetime: `expires_in`, or a JWT's own `exp` when that comes earlier (ServiceNow may issue JWTs). */
export function grantLifetimeMs(grant: TokenGrant): number {
  let lifetimeMs = grant.expiresInSec * 1000;
  try {
    const claims = decodeJwt(grant.accessToken);
    if (typeof claims.exp === 'number') {
      const serverNow = grant.serverDateMs ?? grant.receivedAtWall;
      const jwtLeftMs = claims.exp * 1000 - serverNow;
      if (jwtLeftMs > 0 && jwtLeftMs < lifetimeMs) lifetimeMs = jwtLeftMs;
    }
  } catch {
    // Opaque token (Genesys tokens are opaque): expires_in is all there is.
  }
  return lifetimeMs;
}

/**
 * The token endpoint's clock minus ours, from its `Date` header; undefined without one. Date has
 * one-second resolution and the server stamped it somewhere between our send and receive: the
 * server's clock read [Date, Date + 1 s) at some local instant in [sent, received]. This is the
 * smallest skew consistent with that (0 when the clocks agree to within the header's resolution),
 * rather than a half-second of noise on every healthy host.
 */
export function clockSkewMs(grant: TokenGrant): number | undefined {
  if (grant.serverDateMs === undefined) return undefined;
  const earliest = grant.serverDateMs - grant.receivedAtWall;
  const latest = grant.serverDateMs + 1_000 - grant.sentAtWall;
  return Math.round(earliest > 0 ? earliest : latest < 0 ? latest : 0);
}

/** A token as the broker holds it: both deadlines placed on the monotonic and the wall clock. */
export function newHeldToken(
  t: { value: string; obtainedAtMono: number; obtainedAtWall: number; lifetimeMs: number },
  bufferMs: number,
  random: () => number = Math.random,
): HeldToken {
  const { hardBufferMs, softAfterMs } = tokenDeadlines(t.lifetimeMs, bufferMs, random);
  return {
    value: t.value,
    obtainedAtWall: t.obtainedAtWall,
    expiresAtMono: t.obtainedAtMono + t.lifetimeMs,
    expiresAtWall: t.obtainedAtWall + t.lifetimeMs,
    lifetimeMs: t.lifetimeMs,
    hardBufferMs,
    softAtMono: t.obtainedAtMono + softAfterMs,
    verified: false,
    scopes: [],
    accepted: false,
    invalidated: false,
    issuedForRetry: false,
  };
}
