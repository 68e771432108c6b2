import { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { AppError, NotFoundError } from '../errors/app-error.js';
import { callerOf, needs, type AccessControl } from '../http/access-control.js';
import type { ConsoleAsset } from './console-assets.js';
import type { ConsoleEvents } from './console-events.js';

/** What the page may do: the caller's name and permissions (never a credential). */
export interface ConsoleWhoami {
  caller: string;
  method: string;
  permissions: string[];
  orgs: string[];
}

// Everything the page loads comes from trunkgate itself: no inline script, no other origin.
const PAGE_HEADERS = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
};

function serve(req: Request, res: Response, asset: ConsoleAsset, cacheControl: string): void {
  res.set(PAGE_HEADERS);
  res.setHeader('Content-Type', asset.type);
  // Authenticated content: a browser may keep it, a shared cache must not.
  res.setHeader('Cache-Control', cacheControl);
  res.setHeader('ETag', asset.etag);
  res.setHeader('Vary', 'Accept-Encoding, Authorization, X-API-Key');
  if (req.headers['if-none-match'] === asset.etag) {
    res.status(304).end();
    return;
  }
  const gzip = asset.gzip && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  if (gzip) res.setHeader('Content-Encoding', 'gzip');
  res.send(gzip ? asset.gzip : asset.body);
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * A refused page (401, 403) is a short HTML page for the person in front of the browser; the data
 * routes (`whoami`, `events`) and everything else keep the JSON error contract.
 */
function pageErrors(err: unknown, req: Request, res: Response, next: NextFunction): void {
  if (!(err instanceof AppError) || !res.locals.consolePage || res.headersSent || !req.accepts('html')) return next(err);
  res.locals.errorCode = err.code;
  for (const [name, value] of Object.entries(err.headers)) res.setHeader(name, value);
  const hint =
    err.status === 401
      ? 'Log in with a trunkgate caller (Basic user name and password), or send an API key in X-API-Key.'
      : err.status === 403
        ? 'This caller needs the <code>console</code> permission (CALLERS_FILE, README "Callers and permissions").'
        : '';
  res.set(PAGE_HEADERS).setHeader('Cache-Control', 'no-store');
  res
    .status(err.status)
    .type('html')
    .send(
      `<!doctype html><html lang="en"><meta charset="utf-8"><title>trunkgate: ${err.status}</title>` +
        `<h1>trunkgate console</h1><p>${escapeHtml(err.message)}</p>${hint ? `<p>${hint}</p>` : ''}` +
        `<p>Request id: ${escapeHtml(String(res.locals.requestId ?? ''))}</p></html>`,
    );
}

/**
 * The operator console (README, "Console"): the page at `/` and `/console/`, its files under
 * `/console/assets/`, who the caller is, and the board's event stream. Every route authenticates like
 * /v1 and needs the `console` permission; maintenance and the audit trail are read and written through
 * /v1 with their own permissions.
 */
export function consoleRoutes(deps: {
  /** Caller authentication, challenging a browser with Basic (`CallerAuthenticator.middleware({ browser: true })`). */
  authenticate: RequestHandler;
  access: AccessControl;
  assets: { page: ConsoleAsset; files: ReadonlyMap<string, ConsoleAsset> };
  events: ConsoleEvents;
  orgs: readonly string[];
}): Router {
  const router = Router();
  const allowed = deps.access.allow(needs('console')) as RequestHandler;
  const page: RequestHandler = (_req, res, next) => {
    res.locals.consolePage = true;
    next();
  };
  const guardPage: RequestHandler[] = [page, deps.authenticate, allowed];
  const guardData: RequestHandler[] = [deps.authenticate, allowed];
  const sendPage: RequestHandler = (req, res) => serve(req, res, deps.assets.page, 'private, no-cache');

  router.get('/', guardPage, sendPage);
  // `/console` and `/console/` match alike: the page's links are absolute, the redirect only tidies the address.
  router.get('/console', (req: Request, res: Response, next: NextFunction) =>
    req.path.endsWith('/') ? next() : res.redirect(301, '/console/'),
  );
  router.get('/console/', guardPage, sendPage);
  router.get('/console/assets/:file', guardPage, (req: Request, res: Response) => {
    const file = deps.assets.files.get(String(req.params.file));
    if (!file) throw new NotFoundError(`No console file ${String(req.params.file)}`);
    // Named by content hash in the page: kept for a year; a request without the current hash revalidates.
    const versioned = req.query.v === file.version;
    serve(req, res, file, versioned ? 'private, max-age=31536000, immutable' : 'private, no-cache');
  });
  router.get('/console/whoami', guardData, (_req: Request, res: Response) => {
    const caller = callerOf(res);
    res.setHeader('Cache-Control', 'no-store');
    res.json({
      caller: caller.name,
      method: caller.method,
      permissions: caller.permissions.list(),
      orgs: [...deps.orgs],
    } satisfies ConsoleWhoami);
  });
  router.get('/console/events', guardData, (_req: Request, res: Response) => deps.events.open(res));
  router.use(pageErrors);
  return router;
}
