import express, { type Router } from 'express';
import { apiGate, nameRoute, orgOf, tokenOf } from './api-gate.js';
import { requireAnyPermission, TRUNK_READ_PERMISSION } from './client-access.js';
import type { GenesysSimState } from './genesys-sim-state.js';
import { apiErrors, sendApiError, sendInvalidValue } from './genesys-errors.js';
import { notificationRoutes } from './notification-routes.js';
import type { SimRegion } from './sim-region.js';
import { isQueryProblem, parseTrunkQuery } from './trunk-query.js';
import { buildTrunkListing } from './trunk-wire.js';
import type { GenesysOrganization, GenesysTokenInfo } from './wire-types.js';

/**
 * `/api/v2`: tokens/me, organizations/me, the Edge trunk resources and the Notifications API, behind
 * the gate. Each call sees only the org of its token: another org's trunk is "not found", as an entity
 * the caller cannot see is on the platform.
 */
export function apiRouter(region: SimRegion): Router {
  const router = express.Router();
  router.use(apiGate(region));

  router.head('/tokens/me', (req, res) => {
    nameRoute(req, res, '/tokens/me');
    res.status(200).end();
  });
  // tokens/me needs no permission (JS SDK TokensApi.md: "Requires NO permissions").
  router.get('/tokens/me', (req, res) => {
    nameRoute(req, res, '/tokens/me');
    res.json(buildTokenInfo(orgOf(res), tokenOf(res).clientId, tokenOf(res).scopes));
  });
  router.delete('/tokens/me', (req, res) => {
    nameRoute(req, res, '/tokens/me');
    orgOf(res).tokens.revoke(tokenOf(res).token);
    orgOf(res).notifications.sweep();
    res.status(204).end();
  });
  // organizations/me needs no permission either (JS SDK OrganizationApi.md, getOrganizationsMe).
  router.get('/organizations/me', (req, res) => {
    nameRoute(req, res, '/organizations/me');
    res.json(buildOrganization(orgOf(res)));
  });

  router.get('/telephony/providers/edges/trunks', (req, res) => {
    nameRoute(req, res, '/telephony/providers/edges/trunks');
    if (!requireAnyPermission(res, [TRUNK_READ_PERMISSION])) return;
    const query = parseTrunkQuery(req.query as Record<string, unknown>);
    if (isQueryProblem(query)) return sendInvalidValue(res, query.value, query.fieldType, query.allowed);
    res.json(buildTrunkListing(orgOf(res).trunks.snapshot(), query));
  });
  router.get('/telephony/providers/edges/trunks/:trunkId', (req, res) => {
    nameRoute(req, res, '/telephony/providers/edges/trunks/{trunkId}');
    if (!requireAnyPermission(res, [TRUNK_READ_PERMISSION])) return;
    const trunk = orgOf(res).trunks.get(req.params.trunkId);
    if (!trunk) return sendApiError(res, apiErrors.notFound);
    res.json(trunk);
  });
  router.use('/notifications', notificationRoutes());

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

/** `Organization` as `GET /api/v2/organizations/me` answers it (the fields beyond id and name are plausible placeholders). */
export function buildOrganization(state: GenesysSimState): GenesysOrganization {
  const { id, name } = state.organization;
  return {
    id,
    name,
    defaultLanguage: 'en-us',
    defaultCountryCode: 'US',
    thirdPartyOrgName: state.name,
    domain: state.name,
    version: 1,
    state: 'active',
    voicemailEnabled: true,
    productPlatform: 'PureCloud',
    selfUri: `/api/v2/organizations/${id}`,
  };
}
