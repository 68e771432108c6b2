import type { Clock } from '../time/clock.js';
import type { CredentialsSnapshot, HeldToken } from './token-types.js';

/** What a broker knows about its token and its refreshing, as `credentialsSnapshot` reads it. */
export interface BrokerState {
  upstream: string;
  token: HeldToken | undefined;
  /** The token can still be handed out (not expired past its hard buffer, not invalidated). */
  usable: boolean;
  refreshing: boolean;
  failedPermanently: boolean;
  consecutiveFailures: number;
  nextAttemptMono: number | undefined;
  refreshCount: number;
  failureCount: number;
  lastError: string | undefined;
  skewMs: number | undefined;
  clock: Clock;
}

/**
 * One upstream's entry in `GET /v1/credentials`: `failed` once the credentials were refused, `degraded`
 * while refreshing fails (or no usable token is left), `refreshing` while a refresh is in flight, else `ok`.
 */
export function credentialsSnapshot(b: BrokerState): CredentialsSnapshot {
  const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());
  const toWall = (mono: number | undefined) => (mono === undefined ? undefined : b.clock.now() + (mono - b.clock.monotonic()));
  const state = b.failedPermanently
    ? 'failed'
    : b.usable
      ? b.consecutiveFailures > 0
        ? 'degraded'
        : b.refreshing
          ? 'refreshing'
          : 'ok'
      : b.refreshing
        ? 'refreshing'
        : 'degraded';
  return {
    name: b.upstream,
    expiresAt: iso(b.token?.expiresAtWall),
    refreshedAt: iso(b.token?.obtainedAtWall),
    nextRefreshAt: iso(toWall(b.nextAttemptMono)),
    refreshCount: b.refreshCount,
    failureCount: b.failureCount,
    lastError: b.lastError ?? null,
    verified: b.token?.verified ?? false,
    scopes: b.token?.scopes ?? [],
    skewMs: b.skewMs ?? null,
    state,
  };
}
