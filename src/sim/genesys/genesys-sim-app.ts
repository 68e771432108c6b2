import { randomUUID } from 'node:crypto';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { apiRouter } from './api-routes.js';
import { controlRouter } from './control-routes.js';
import { apiErrors, sendApiError, sendOAuthError } from './genesys-errors.js';
import { oauthRouter } from './oauth-routes.js';
import type { GenesysSimControl } from './sim-control.js';
import type { SimRegion } from './sim-region.js';

/**
 * The simulator as an Express app: login service (`/oauth/token`), platform API (`/api/v2`) and
 * control API (`/__sim/genesys`) on one port, for every org of the region. Real Genesys splits login and
 * API over two hosts (login.<region>, api.<region>); pointing both base URLs here works because the
 * paths do not overlap.
 */
export function createGenesysSimApp(region: SimRegion, control: GenesysSimControl): Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('query parser', 'simple');

  app.use((req, res, next) => {
    if (region.requestWatchers.size > 0 && !req.path.startsWith('/__sim/')) {
      const [path = '', query = ''] = req.originalUrl.split(/\?(.*)/s);
      region.reportRequest({ method: req.method, path, query, headers: req.headers, at: region.clock() });
    }
    const correlationId = randomUUID();
    res.locals.correlationId = correlationId;
    res.setHeader('ININ-Correlation-Id', correlationId);
    next();
  });

  app.use('/oauth', oauthRouter(region));
  app.use('/api/v2', apiRouter(region));
  app.use('/__sim/genesys', controlRouter(control));
  app.use((_req, res) => sendApiError(res, apiErrors.notFound));
  app.use(lastResortErrorHandler);
  return app;
}

// Body-parser errors (oversize, unreadable) and anything unexpected: answer in the shape the
// caller's side of the simulator uses, never crash, never leak a stack.
function lastResortErrorHandler(err: unknown, req: Request, res: Response, next: NextFunction): void {
  if (res.headersSent) return next(err);
  const status = (err as { status?: number }).status;
  const clientError = typeof status === 'number' && status >= 400 && status < 500;
  if (req.path.startsWith('/oauth/')) {
    sendOAuthError(res, clientError ? status : 500, clientError ? 'invalid_request' : 'server_error', 'request rejected');
    return;
  }
  if (clientError && status === 413) {
    sendApiError(res, { status: 413, code: 'request.entity.too.large', message: 'The request is over the size limit.' });
    return;
  }
  sendApiError(res, clientError ? { ...apiErrors.badRequest, status } : apiErrors.internal);
}
