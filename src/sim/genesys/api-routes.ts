import express, { type Router } from 'express';
import { apiGate, nameRoute, tokenOf } from './api-gate.js';
import { requireAnyPermission, TRUNK_READ_PERMISSION } from './client-access.js';
import type { GenesysSimState } from './genesys-sim-state.js';
import { apiErrors, sendApiError, sendInvalidValue } from './genesys-errors.js';
import { notificationRoutes } from './notification-routes.js';
import { isQueryProblem, parseTrunkQuery } from './trunk-query.js';
import { buildTrunkListing } from './trunk-wire.js';
import type { GenesysTokenInfo } from './wire-types.js';

/** `/api/v2`: tokens/me, the Edge trunk resources and the Notifications API, behind the gate. */
export function apiRouter(state: GenesysSimState): Router {
  const router = express.Router();
  router.use(apiGate(state));

  router.head('/tokens/me', (req, res) => {
    nameRoute(req, res, '/tokens/me');
    res.status(200).end();
  });
  // tokens/me needs no permission (JS SDK TokensApi.md: "Requires NO permissions").
  router.get('/tokens/me', (req, res) => {
    nameRoute(req, res, '/tokens/me');
    res.json(buildTokenInfo(state, tokenOf(res).clientId, tokenOf(res).scopes));
  });
  router.delete('/tokens/me', (req, res) => {
    nameRoute(req, res, '/tokens/me');
    state.tokens.revoke(tokenOf(res).token);
    state.notifications.sweep();
    res.status(204).end();
  });

  router.get('/telephony/providers/edges/trunks', (req, res) => {
    nameRoute(req, res, '/telephony/providers/edges/trunks');
    if (!requireAnyPermission(state, res, [TRUNK_READ_PERMISSION])) return;
    const query = parseTrunkQuery(req.query as Record<string, unknown>);
    if (isQueryProblem(query)) return sendInvalidValue(res, query.value, query.fieldType, query.allowed);
    res.json(buildTrunkListing(state.trunks.list(), query));
  });
  router.get('/telephony/providers/edges/trunks/:trunkId', (req, res) => {
    nameRoute(req, res, '/telephony/providers/edges/trunks/{trunkId}');
    if (!requireAnyPermission(state, res, [TRUNK_READ_PERMISSION])) return;
    const trunk = state.trunks.get(req.params.trunkId);
    if (!trunk) return sendApiError(res, apiErrors.notFound);
    res.json(trunk);
  });
  router.use('/notifications', notificationRoutes(state));

  router.use((req, res) => {
    res.locals.routeKey = `${req.method} (unknown path)`;
    sendApiError(res, apiErrors.notFound);
  });
  return router;
}

/** `TokenInfo` for a client-credentials token: `authorizedScope` lists the OAuth scopes the token was issued with, never permissions. */
export function buildTokenInfo(state: GenesysSimState, clientId: string, scopes: readonly string[]): GenesysTokenInfo {
  const org = { id: state.organization.id, name: state.organization.name };
  return {
    organization: org,
    homeOrganization: { ...org },
    authorizedScope: [...scopes],
    OAuthClient: {
      id: clientId,
      name: state.clients.get(clientId)?.name ?? clientId,
      authorizedGrantType: 'CLIENT-CREDENTIALS',
      organization: { ...org },
    },
  };
}
