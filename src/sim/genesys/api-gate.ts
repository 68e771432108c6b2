import { setTimeout as sleep } from 'node:timers/promises';
import type { NextFunction, Request, Response } from 'express';
import { faultRetryAfterSec, type ApiFault } from './faults.js';
import type { GenesysSimState } from './genesys-sim-state.js';
import { apiErrors, sendApiError, sendTooManyRequests } from './genesys-errors.js';
import type { SimRegion } from './sim-region.js';
import type { IssuedToken } from './token-store.js';

/** The token a request to `/api/v2` was accepted with (set by the gate). */
export function tokenOf(res: Response): IssuedToken {
  return res.locals.token as IssuedToken;
}

/** The org that token belongs to: everything the request may see is this org's (set by the gate). */
export function orgOf(res: Response): GenesysSimState {
  return res.locals.org as GenesysSimState;
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
 * The region's faults hit every call; an org's own faults only calls made with its tokens.
 */
export function apiGate(region: SimRegion) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    region.stats.apiCalls++;
    res.on('finish', () => {
      const org = res.locals.org as GenesysSimState | undefined;
      region.recordAnswer(org, String(res.locals.routeKey ?? `${req.method} (refused before routing)`), res.statusCode);
    });

    const now = region.clock();
    const regionFault = region.apiFault.current(now);
    if (regionFault?.mode === 'down') return sendApiError(res, apiErrors.unavailable);
    if (regionFault?.mode === 'error') return sendApiError(res, apiErrors.internal);

    const { org, check } = region.findToken(bearerToken(req));
    if (org) {
      res.locals.org = org;
      org.stats.apiCalls++;
    }
    if (check.outcome !== 'ok') {
      if (org) org.count(staleTokenStat[check.outcome]);
      else region.stats[staleTokenStat[check.outcome]]++;
      return sendApiError(res, check.outcome === 'missing' ? apiErrors.authenticationRequired : apiErrors.badCredentials);
    }
    const known = org!;

    const orgFault = known.apiFault.current(now);
    if (orgFault?.mode === 'down') return sendApiError(res, apiErrors.unavailable);
    if (orgFault?.mode === 'error') return sendApiError(res, apiErrors.internal);
    // A storm refuses the call without spending the token's own budget.
    const storm = [regionFault, orgFault].find((f): f is ApiFault => f?.mode === 'rate_limited');
    const rate = storm ? known.rateLimiter.peek(check.token.token) : known.rateLimiter.hit(check.token.token);
    res.setHeader('inin-ratelimit-count', String(rate.count));
    res.setHeader('inin-ratelimit-allowed', String(rate.limit));
    res.setHeader('inin-ratelimit-reset', String(rate.resetSec));
    if (storm) {
      const remainingMs = (storm === regionFault ? region.apiFault : known.apiFault).remainingMs(now);
      return sendTooManyRequests(res, faultRetryAfterSec(storm, remainingMs));
    }
    if (!rate.allowed) return sendTooManyRequests(res, rate.resetSec);

    for (const fault of [regionFault, orgFault]) if (fault?.mode === 'slow') await sleep(fault.delayMs ?? 1000);
    res.locals.token = check.token;
    next();
  };
}

function bearerToken(req: Request): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '');
  return match?.[1];
}
