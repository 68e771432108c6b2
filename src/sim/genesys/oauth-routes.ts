import { setTimeout as sleep } from 'node:timers/promises';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { faultRetryAfterSec } from './faults.js';
import { sendOAuthError } from './genesys-errors.js';
import { basicCredentials, type SimRegion } from './sim-region.js';
import type { GenesysTokenResponse } from './wire-types.js';

/**
 * The login service's `POST /oauth/token`, client-credentials grant only.
 *
 * Confirmed from captured real responses (GForceIndustries/GCCX-Utils README, tishige/CallFlowVisualizer
 * issues #8/#9): success `{access_token, token_type: "bearer", expires_in: 86399}` for a 86400 s client;
 * unknown client id → 400 `invalid_client` "client not found"; wrong secret → 400 `invalid_client`
 * "authentication failed"; every error carries both `description` and `error_description`.
 * Unconfirmed, chosen to follow RFC 6749 §5.2: a missing Basic header, a wrong content type or grant type,
 * and the bodies of 429/500/503.
 */
export function oauthRouter(region: SimRegion): Router {
  const router = express.Router();
  router.post('/token', express.raw({ type: () => true, limit: '512kb' }), async (req, res) => {
    const credentials = basicCredentials(req.get('authorization'));
    // The client id names the org: its counters and its own faults apply from here on.
    const org = credentials && region.orgOfClient(credentials.clientId);
    const count = (field: 'tokenRequests' | 'tokenFailures' | 'tokensIssued') => (org ? org.count(field) : region.stats[field]++);
    count('tokenRequests');
    const fail = (status: number, error: string, description: string) => {
      count('tokenFailures');
      sendOAuthError(res, status, error, description);
    };

    const now = region.clock();
    for (const faults of org ? [region.tokenFault, org.tokenFault] : [region.tokenFault]) {
      const fault = faults.current(now);
      if (fault?.mode === 'down') return fail(503, 'temporarily_unavailable', 'service unavailable');
      if (fault?.mode === 'error') return fail(500, 'server_error', 'internal server error');
      if (fault?.mode === 'rate_limited') {
        res.setHeader('Retry-After', String(faultRetryAfterSec(fault, faults.remainingMs(now))));
        return fail(429, 'too_many_requests', 'rate limit exceeded');
      }
      // A secret rotated behind the caller's back looks exactly like a wrong secret.
      if (fault?.mode === 'reject') return fail(fault.status ?? 400, 'invalid_client', 'authentication failed');
      if (fault?.mode === 'slow') await sleep(fault.delayMs ?? 1000);
    }

    if (!req.is('application/x-www-form-urlencoded')) {
      return fail(400, 'invalid_request', 'content type must be application/x-www-form-urlencoded');
    }
    if (!credentials) return fail(400, 'invalid_client', 'client authentication required');
    const client = org?.clients.get(credentials.clientId);
    if (!org || !client) return fail(400, 'invalid_client', 'client not found');
    if (client.secret !== credentials.secret) return fail(400, 'invalid_client', 'authentication failed');

    const form = new URLSearchParams(Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '');
    const grantType = form.get('grant_type');
    if (!grantType) return fail(400, 'invalid_request', 'grant_type is required');
    if (grantType !== 'client_credentials') return fail(400, 'unsupported_grant_type', 'unsupported grant type');

    const lifetimeSec = org.settings.tokenLifetimeSec;
    const issued = org.tokens.issue({
      clientId: client.clientId,
      scopes: client.scopes,
      lifetimeSec,
      propagationLagMs: org.settings.propagationLagMs,
    });
    count('tokensIssued');
    // The real service reports 86399 for a 86400 s client: whole seconds left, rounded down.
    const body: GenesysTokenResponse = {
      access_token: issued.token,
      token_type: 'bearer',
      expires_in: Math.max(0, lifetimeSec - 1),
    };
    sendToken(res, body);
  });
  router.use('/token', (err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    region.stats.tokenRequests++;
    region.stats.tokenFailures++;
    const status = (err as { status?: number }).status === 413 ? 413 : 400;
    sendOAuthError(res, status, 'invalid_request', status === 413 ? 'request body too large' : 'unreadable request body');
  });
  return router;
}

function sendToken(res: Response, body: GenesysTokenResponse): void {
  res.setHeader('Cache-Control', 'no-store');
  res.status(200).json(body);
}
