import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  SimInputError,
  parseAnswerHold,
  parseOutage,
  parseRateLimitRule,
  parseRateLimitStorm,
  parseTokenFault,
  parseTokenLifetime,
} from './control-input.js';
import type { ServiceNowSimControl } from './control.js';
import { BodyTooLargeError, failure, readBody, sendJson } from './wire.js';

/** Where the control API lives, on the instance's own port. */
export const CONTROL_PREFIX = '/__sim/servicenow';

const MAX_CONTROL_BODY_BYTES = 64 * 1024;

async function jsonBody(req: IncomingMessage): Promise<unknown> {
  let text: string;
  try {
    text = (await readBody(req, MAX_CONTROL_BODY_BYTES)).toString('utf8');
  } catch (err) {
    if (err instanceof BodyTooLargeError) throw new SimInputError(`body larger than ${err.limit} bytes`);
    throw err;
  }
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new SimInputError('body is not valid JSON');
  }
}

type Route = (req: IncomingMessage, res: ServerResponse, control: ServiceNowSimControl) => Promise<void>;

const ok = (res: ServerResponse, body: unknown) => sendJson(res, 200, body);

const routes: Record<string, Route> = {
  'GET /state': async (_req, res, control) => ok(res, control.describe()),
  'GET /incidents': async (_req, res, control) => ok(res, { incidents: control.incidents() }),
  'GET /stats': async (_req, res, control) => ok(res, control.stats()),
  'POST /stats/reset': async (_req, res, control) => {
    control.resetStats();
    ok(res, control.stats());
  },
  'POST /reset': async (_req, res, control) => {
    await control.reset();
    ok(res, control.describe());
  },
  'POST /restore': async (_req, res, control) => {
    await control.restore();
    ok(res, control.describe());
  },
  'POST /outage': async (req, res, control) => {
    const options = parseOutage(await jsonBody(req));
    if (options.mode !== 'refused') return ok(res, { outage: await control.outage(options) });
    // Nobody could reach this API to end a refused outage, so over HTTP it must end by itself.
    if (options.durationMs === undefined) throw new SimInputError('a refused outage over HTTP needs durationMs');
    // Answer first: closing the port drops every connection, this one included.
    res.setHeader('Connection', 'close');
    res.on('finish', () => setImmediate(() => void control.outage(options)));
    ok(res, { outage: { ...options, pending: true } });
  },
  'POST /rate-limit-storm': async (req, res, control) =>
    ok(res, { rateLimitStorm: control.rateLimitStorm(parseRateLimitStorm(await jsonBody(req))) }),
  'PUT /rate-limit': async (req, res, control) => ok(res, { rateLimitRule: control.setRateLimit(parseRateLimitRule(await jsonBody(req))) }),
  'POST /token-fault': async (req, res, control) => ok(res, { tokenFault: control.tokenFault(parseTokenFault(await jsonBody(req))) }),
  'PUT /token-lifetime': async (req, res, control) => {
    control.setTokenLifetime(parseTokenLifetime(await jsonBody(req)));
    ok(res, control.describe());
  },
  'POST /hold-answers': async (req, res, control) => ok(res, { answerHold: control.holdAnswers(parseAnswerHold(await jsonBody(req))) }),
  'POST /release-answers': async (_req, res, control) => {
    control.releaseAnswers();
    ok(res, control.describe());
  },
  'POST /tokens/revoke': async (_req, res, control) => {
    control.revokeTokens();
    ok(res, control.describe());
  },
};

/** JSON in and out, no authentication: it is for tests, benchmarks and the sandbox on loopback. */
export async function handleControlRequest(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  control: ServiceNowSimControl,
): Promise<void> {
  const route = routes[`${req.method ?? 'GET'} ${url.pathname.slice(CONTROL_PREFIX.length).replace(/\/$/, '')}`];
  if (!route) return sendJson(res, 404, failure('Not Found', `No control route ${req.method ?? ''} ${url.pathname}`));
  try {
    await route(req, res, control);
  } catch (err) {
    if (!(err instanceof SimInputError || err instanceof RangeError)) throw err;
    sendJson(res, 400, failure('Invalid control request', err.message));
  }
}
