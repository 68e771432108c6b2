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
 * Bodies are cast on the way in: the control methods validate everything they are given.
 */
export function controlRouter(control: GenesysSimControl): Router {
  const router = express.Router();
  router.use(express.json({ limit: '64kb', type: () => true }));
  const body = (req: Request) => asObject(req.body ?? {});

  router.get('/stats', (_req, res) => res.json(control.stats()));
  router.post('/stats/reset', (_req, res) => {
    control.resetStats();
    res.json(control.stats());
  });
  router.get('/settings', (_req, res) => res.json(control.settings()));
  router.post('/reset', (_req, res) => {
    control.reset();
    res.json(control.settings());
  });

  router.post('/token-lifetime', (req, res) => {
    control.setTokenLifetime(body(req).seconds as number);
    res.json(control.settings());
  });
  router.post('/propagation-lag', (req, res) => {
    control.setPropagationLag(body(req).ms as number);
    res.json(control.settings());
  });
  router.post('/token-endpoint', (req, res) => {
    control.setTokenEndpointFault(body(req) as unknown as TokenEndpointFault);
    res.json(control.settings());
  });
  router.post('/rate-limit', (req, res) => {
    control.setRateLimit(body(req).perMinute as number);
    res.json(control.settings());
  });
  router.post('/api', (req, res) => {
    control.setApiFault(body(req) as unknown as ApiFault);
    res.json(control.settings());
  });
  router.post('/clients/:clientId/secret', (req, res) => {
    control.rotateClientSecret(req.params.clientId, requireString(body(req).secret, 'secret'));
    res.json({ clientId: req.params.clientId, rotated: true });
  });
  router.get('/clients', (_req, res) => res.json({ clients: control.listClients() }));
  router.put('/clients/:clientId/roles', (req, res) => res.json(control.setClientRoles(req.params.clientId, body(req).roles as never)));
  router.put('/clients/:clientId/scopes', (req, res) => res.json(control.setClientScopes(req.params.clientId, body(req).scopes as never)));
  router.post('/tokens/revoke', (req, res) => {
    res.json({ revoked: control.revokeTokens(optionalString(body(req).clientId, 'clientId')) });
  });

  router.get('/trunks', (_req, res) => res.json({ trunks: control.listTrunks() }));
  router.post('/trunks', (req, res) => res.status(201).json(control.addTrunk(body(req) as unknown as SeedTrunk)));
  router.get('/trunks/:trunkId', (req, res) => {
    const trunk = control.getTrunk(req.params.trunkId);
    if (!trunk) throw new SimControlError('not_found', `no trunk ${req.params.trunkId}`);
    res.json(trunk);
  });
  router.delete('/trunks/:trunkId', (req, res) => {
    if (!control.removeTrunk(req.params.trunkId)) {
      throw new SimControlError('not_found', `no trunk ${req.params.trunkId}`);
    }
    res.status(204).end();
  });
  router.post('/trunks/:trunkId/state', (req, res) => {
    res.json(control.setTrunkState(req.params.trunkId, body(req) as unknown as TrunkStateChange));
  });
  router.post('/trunks/:trunkId/registers-enabled', (req, res) => {
    res.json(control.setRegistersEnabled(req.params.trunkId, body(req).enabled as boolean));
  });
  router.post('/trunks/:trunkId/events', (req, res) => {
    res.json({ delivered: control.pushTrunkEvent(req.params.trunkId, body(req)) });
  });
  router.post('/notifications/partial', (req, res) => {
    control.setPartialEvents(body(req) as { enabled: boolean; changedOnly?: boolean; omit?: TrunkEventField[] });
    res.json(control.settings());
  });

  router.get('/channels', (_req, res) => res.json({ channels: control.listChannels() }));
  router.post('/channels/socket-closing', (req, res) => {
    res.json({ warned: control.sendSocketClosing(body(req)) });
  });
  router.post('/channels/no-longer-subscribed', (req, res) => {
    res.json({ unsubscribed: control.sendNoLongerSubscribed(body(req)) });
  });
  router.post('/channels/token-revoked', (req, res) => {
    res.json({ warned: control.sendTokenRevoked(body(req)) });
  });
  router.post('/channels/drop', (_req, res) => res.json({ dropped: control.dropSockets() }));
  router.post('/channels/heartbeats', (req, res) => {
    control.setHeartbeats(body(req) as { enabled: boolean; intervalMs?: number });
    res.json(control.settings());
  });
  router.post('/channels/:channelId/expire', (req, res) => {
    control.expireChannel(req.params.channelId);
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
