import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { SimControlError } from './sim-control-error.js';
import type { GenesysSimControl } from './sim-control.js';
import { asObject, optionalString, requireString } from './control-input.js';
import type { ApiFault, TokenEndpointFault } from './faults.js';
import type { TrunkEventField } from './partial-events.js';
import type { TrunkStateChange } from './trunk-health.js';
import type { SeedTrunk } from './trunk-store.js';

/**
 * `/__sim/genesys/*`: the HTTP twin of `GenesysSimControl` (JSON in, JSON out, no auth), so a
 * sandbox script, a benchmark or a person with curl can inject the same faults as a test.
 * `?org=<name>` on any route acts as `control.org(name)`; without it, as the simulator's control.
 * Bodies are cast on the way in: the control methods validate everything they are given.
 */
export function controlRouter(root: GenesysSimControl): Router {
  const router = express.Router();
  router.use(express.json({ limit: '64kb', type: () => true }));
  const body = (req: Request) => asObject(req.body ?? {});
  router.use((req, res, next) => {
    const org = req.query.org;
    if (org !== undefined && typeof org !== 'string') throw new SimControlError('invalid_request', 'org must be given once');
    res.locals.control = org === undefined ? root : root.org(org);
    next();
  });
  const c = (res: Response) => res.locals.control as GenesysSimControl;

  router.get('/orgs', (_req, res) => res.json({ orgs: c(res).listOrgs() }));
  router.get('/stats/orgs', (_req, res) => res.json({ orgs: c(res).statsByOrg() }));

  router.get('/stats', (_req, res) => res.json(c(res).stats()));
  router.post('/stats/reset', (_req, res) => {
    c(res).resetStats();
    res.json(c(res).stats());
  });
  router.get('/settings', (_req, res) => res.json(c(res).settings()));
  router.post('/reset', (_req, res) => {
    c(res).reset();
    res.json(c(res).settings());
  });

  router.post('/token-lifetime', (req, res) => {
    c(res).setTokenLifetime(body(req).seconds as number);
    res.json(c(res).settings());
  });
  router.post('/propagation-lag', (req, res) => {
    c(res).setPropagationLag(body(req).ms as number);
    res.json(c(res).settings());
  });
  router.post('/token-endpoint', (req, res) => {
    c(res).setTokenEndpointFault(body(req) as unknown as TokenEndpointFault);
    res.json(c(res).settings());
  });
  router.post('/rate-limit', (req, res) => {
    c(res).setRateLimit(body(req).perMinute as number);
    res.json(c(res).settings());
  });
  router.post('/api', (req, res) => {
    c(res).setApiFault(body(req) as unknown as ApiFault);
    res.json(c(res).settings());
  });
  router.post('/clients/:clientId/secret', (req, res) => {
    c(res).rotateClientSecret(req.params.clientId, requireString(body(req).secret, 'secret'));
    res.json({ clientId: req.params.clientId, rotated: true });
  });
  router.get('/clients', (_req, res) => res.json({ clients: c(res).listClients() }));
  router.put('/clients/:clientId/roles', (req, res) => res.json(c(res).setClientRoles(req.params.clientId, body(req).roles as never)));
  router.put('/clients/:clientId/scopes', (req, res) => res.json(c(res).setClientScopes(req.params.clientId, body(req).scopes as never)));
  router.post('/tokens/revoke', (req, res) => {
    res.json({ revoked: c(res).revokeTokens(optionalString(body(req).clientId, 'clientId')) });
  });

  router.get('/trunks', (_req, res) => res.json({ trunks: c(res).listTrunks() }));
  router.post('/trunks', (req, res) => res.status(201).json(c(res).addTrunk(body(req) as unknown as SeedTrunk)));
  router.get('/trunks/:trunkId', (req, res) => {
    const trunk = c(res).getTrunk(req.params.trunkId);
    if (!trunk) throw new SimControlError('not_found', `no trunk ${req.params.trunkId}`);
    res.json(trunk);
  });
  router.delete('/trunks/:trunkId', (req, res) => {
    if (!c(res).removeTrunk(req.params.trunkId)) {
      throw new SimControlError('not_found', `no trunk ${req.params.trunkId}`);
    }
    res.status(204).end();
  });
  router.post('/trunks/:trunkId/state', (req, res) => {
    res.json(c(res).setTrunkState(req.params.trunkId, body(req) as unknown as TrunkStateChange));
  });
  router.post('/trunks/:trunkId/registers-enabled', (req, res) => {
    res.json(c(res).setRegistersEnabled(req.params.trunkId, body(req).enabled as boolean));
  });
  router.post('/trunks/:trunkId/events', (req, res) => {
    res.json({ delivered: c(res).pushTrunkEvent(req.params.trunkId, body(req)) });
  });
  router.post('/notifications/partial', (req, res) => {
    c(res).setPartialEvents(body(req) as { enabled: boolean; changedOnly?: boolean; omit?: TrunkEventField[] });
    res.json(c(res).settings());
  });

  router.get('/channels', (_req, res) => res.json({ channels: c(res).listChannels() }));
  router.post('/channels/socket-closing', (req, res) => {
    res.json({ warned: c(res).sendSocketClosing(body(req)) });
  });
  router.post('/channels/no-longer-subscribed', (req, res) => {
    res.json({ unsubscribed: c(res).sendNoLongerSubscribed(body(req)) });
  });
  router.post('/channels/token-revoked', (req, res) => {
    res.json({ warned: c(res).sendTokenRevoked(body(req)) });
  });
  router.post('/channels/drop', (_req, res) => res.json({ dropped: c(res).dropSockets() }));
  router.post('/channels/heartbeats', (req, res) => {
    c(res).setHeartbeats(body(req) as { enabled: boolean; intervalMs?: number });
    res.json(c(res).settings());
  });
  router.post('/channels/:channelId/expire', (req, res) => {
    c(res).expireChannel(req.params.channelId);
    res.json({ expired: req.params.channelId });
  });

  router.use((req, _res, next) => next(new SimControlError('not_found', `no control route ${req.method} ${req.path}`)));
  router.use(controlErrorHandler);
  return router;
}

function controlErrorHandler(err: unknown, _req: Request, res: Response, next: NextFunction): void {
  if (res.headersSent) return next(err);
  if (err instanceof SimControlError) {
    res.status(err.code === 'not_found' ? 404 : 400).json({ error: { code: err.code, message: err.message } });
    return;
  }
  const status = (err as { status?: number }).status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    res.status(status).json({ error: { code: 'invalid_request', message: (err as Error).message } });
    return;
  }
  next(err);
}
