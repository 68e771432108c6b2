import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { NOT_AUTHENTICATED, authenticate } from './auth.js';
import { CONTROL_PREFIX, handleControlRequest } from './control-api.js';
import type { ServiceNowSimControl } from './control.js';
import type { Outage } from './fault-state.js';
import { handleTokenRequest } from './oauth-endpoint.js';
import type { SimState } from './sim-state.js';
import { handleTableRequest, isTablePath } from './table-api.js';
import { API_HEADERS, failure, sendJson, sendText } from './wire.js';
import type { HeaderMap } from './wire.js';

// What an instance in maintenance or hibernation sends is unconfirmed (developer instances show an HTML
// "hibernating" page); the status is what clients must handle, so the body is a plain stand-in.
const OUTAGE_HTML =
  '<!DOCTYPE html><html><head><title>Instance Unavailable</title></head><body><h1>Instance Unavailable</h1>' +
  '<p>This instance is unavailable (maintenance or hibernation). Please try again later.</p></body></html>';

function answerOutage(res: ServerResponse, outage: Outage): void {
  if (outage.body === 'html') return sendText(res, 503, OUTAGE_HTML, 'text/html;charset=UTF-8');
  sendJson(res, 503, failure('Service Unavailable', 'The instance is unavailable (simulated outage)'));
}

/** The gate in front of /api/now: storm, authentication, per-user rate limit. */
async function handleApiRequest(req: IncomingMessage, res: ServerResponse, url: URL, state: SimState): Promise<void> {
  const storm = state.faults.rateLimitStorm();
  if (storm) {
    state.stats.rateLimited += 1;
    const detail = 'Too many requests; the instance is shedding load (simulated)';
    return sendJson(res, 429, failure('Rate limit exceeded', detail), { ...API_HEADERS, 'Retry-After': storm.retryAfterSec });
  }
  const auth = authenticate(req.headers.authorization, state);
  if (!auth.ok) {
    state.stats.authFailures += 1;
    return sendJson(res, 401, failure(NOT_AUTHENTICATED.message, NOT_AUTHENTICATED.detail), { ...API_HEADERS, 'X-Is-Logged-In': 'false' });
  }
  const headers: HeaderMap = { ...API_HEADERS, 'X-Is-Logged-In': 'true' };
  const decision = state.limiter.check(auth.user.username);
  if (decision) {
    headers['X-RateLimit-Limit'] = decision.rule.limit;
    headers['X-RateLimit-Reset'] = decision.resetAtSec;
    headers['X-RateLimit-Rule'] = decision.rule.sysId;
    if (!decision.allowed) {
      state.stats.rateLimited += 1;
      // Status and headers are documented ("Inbound REST API rate limiting"); the detail text is unconfirmed.
      const detail = `Maximum of ${decision.rule.limit} requests per ${decision.rule.windowSec} seconds exceeded for user ${auth.user.username}`;
      return sendJson(res, 429, failure('Rate limit exceeded', detail), { ...headers, 'Retry-After': decision.retryAfterSec });
    }
  }
  if (isTablePath(url.pathname)) return handleTableRequest({ req, res, url, user: auth.user, headers }, state);
  sendJson(res, 400, failure('Requested URI does not represent any resource', null), headers);
}

async function handleInstanceRequest(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  state: SimState,
  control: ServiceNowSimControl,
): Promise<void> {
  const clock = state.config.clock;
  const method = req.method ?? 'GET';
  const event = { method, path: url.pathname, at: clock(), query: url.search.slice(1), headers: req.headers };
  state.stats.requests += 1;
  state.stats.requestsByMethod[method] = (state.stats.requestsByMethod[method] ?? 0) + 1;
  res.on('finish', () => control.emit('response', { ...event, status: res.statusCode, finishedAt: clock() }));
  control.emit('request', event);
  state.hold.intercept(res, { method, path: url.pathname, at: event.at });

  const outage = state.faults.outage();
  if (outage?.mode === 'slow') {
    state.stats.slowedRequests += 1;
    await sleep(outage.delayMs ?? 0);
    // Re-read after the wait: the outage may have turned into a 503 meanwhile.
    res.setHeader('Date', new Date(clock()).toUTCString());
  }
  const now = state.faults.outage();
  if (now?.mode === '503') {
    state.stats.requestsDuringOutage += 1;
    return answerOutage(res, now);
  }
  if (url.pathname === '/oauth_token.do') return handleTokenRequest(req, res, state);
  if (url.pathname === '/api/now' || url.pathname.startsWith('/api/now/')) return handleApiRequest(req, res, url, state);
  sendJson(res, 404, failure('Not Found', `No resource at ${url.pathname}`));
}

/** The request listener of one simulated instance (instance paths and the control API on one port). */
export function createSimHandler(state: SimState, control: ServiceNowSimControl): RequestListener {
  return (req, res) => {
    const run = async () => {
      // Every answer carries the simulator's clock, so clients can measure skew against it.
      res.setHeader('Date', new Date(state.config.clock()).toUTCString());
      let url: URL;
      try {
        url = new URL(req.url ?? '/', 'http://servicenow.invalid');
      } catch {
        return sendJson(res, 400, failure('Bad Request', 'The request URI cannot be read'));
      }
      if (url.pathname === CONTROL_PREFIX || url.pathname.startsWith(`${CONTROL_PREFIX}/`)) {
        return handleControlRequest(req, res, url, control);
      }
      return handleInstanceRequest(req, res, url, state, control);
    };
    run().catch((err: unknown) => {
      if (res.headersSent) return void res.destroy();
      sendJson(res, 500, failure('Internal Server Error', err instanceof Error ? err.message : String(err)));
    });
  };
}
