import { setTimeout as sleep } from 'node:timers/promises';
import type { NextFunction, Request, Response } from 'express';
import { faultRetryAfterSec } from './faults.js';
import type { GenesysSimState } from './genesys-sim-state.js';
import { apiErrors, sendApiError, sendTooManyRequests } from './genesys-errors.js';
import { countInto } from './sim-stats.js';
import type { IssuedToken } from './token-store.js';

/** The token a request to `/api/v2` was accepted with (set by the gate). */
export function tokenOf(res: Response): IssuedToken {
  return res.locals.token as IssuedToken;
}

/** Names the matched route in the per-route stats, e.g. `GET /api/v2/tokens/me`. */
export function nameRoute(req: Request, res: Response, template: string): void {
  res.locals.routeKey = `${req.method} /api/v2${template}`;
}

const staleTokenStat = {
  expired: 'callsWithExpiredToken',
  revoked: 'callsWithRevokedToken',
  unpropagated: 'callsWithUnpropagatedToken',
  unknown: 'callsWithUnknownToken',
  missing: 'callsWithoutToken',
} as const;

/**
 * What every `/api/v2` request goes through, in the platform's order: outage, bearer token,
 * rate limit (with `inin-ratelimit-*` headers on every answer to a known token), then the route.
 */
export function apiGate(state: GenesysSimState) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const stats = state.stats;
    stats.apiCalls++;
    res.on('finish', () => {
      countInto(stats.byRoute, String(res.locals.routeKey ?? `${req.method} (refused before routing)`));
      countInto(stats.byStatus, String(res.statusCode));
      if (res.statusCode < 300) stats.apiSuccesses++;
      if (res.statusCode >= 500) stats.apiFaults++;
      if (res.statusCode === 429) stats.rateLimited++;
    });

    const now = state.clock();
    const fault = state.apiFault.current(now);
    if (fault?.mode === 'down') return sendApiError(res, apiErrors.unavailable);
    if (fault?.mode === 'error') return sendApiError(res, apiErrors.internal);

    const check = state.tokens.check(bearerToken(req));
    if (check.outcome !== 'ok') {
      stats[staleTokenStat[check.outcome]]++;
      return sendApiError(res, check.outcome === 'missing' ? apiErrors.authenticationRequired : apiErrors.badCredentials);
    }

    // A storm refuses the call without spending the token's own budget.
    const storm = fault?.mode === 'rate_limited';
    const rate = storm ? state.rateLimiter.peek(check.token.token) : state.rateLimiter.hit(check.token.token);
    res.setHeader('inin-ratelimit-count', String(rate.count));
    res.setHeader('inin-ratelimit-allowed', String(rate.limit));
    res.setHeader('inin-ratelimit-reset', String(rate.resetSec));
    if (storm) return sendTooManyRequests(res, faultRetryAfterSec(fault, state.apiFault.remainingMs(now)));
    if (!rate.allowed) return sendTooManyRequests(res, rate.resetSec);

    if (fault?.mode === 'slow') await sleep(fault.delayMs ?? 1000);
    res.locals.token = check.token;
    next();
  };
}

function bearerToken(req: Request): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '');
  return match?.[1];
}
