import { Router, type Request, type RequestHandler } from 'express';
import { NotFoundError, ValidationError } from '../../errors/app-error.js';
import type { StatusQueries } from '../../incidents/status-views.js';
import type { TrunkEventInput } from '../../trunks/trunk-event.js';
import type { TrunkEventSink } from '../../trunks/trunk-ingest.js';
import { bodyValidator } from '../../validation/compile.js';
import { validationDetails } from '../../validation/error-details.js';
import { createSchemaEngine } from '../../validation/schema-engine.js';
import type { AccessControl } from '../access-control.js';
import { trunkEventSchema, type EventAccepted, type IncidentList, type TrunkEventList, type TrunkList } from '../status-schemas.js';

const ONE_OF_MESSAGE = 'give either `state` (with sipCode, errorText…) or `trunk` (a Genesys Trunk object), not both';

/** `?limit=` as an integer within bounds, or `validation_failed` naming the parameter. */
function limitParam(req: Request, fallback: number, max: number): number {
  const raw = req.query.limit;
  if (raw === undefined) return fallback;
  const n = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isInteger(n) || n < 1 || n > max)
    throw new ValidationError(`limit must be an integer from 1 to ${max}`, [
      { message: `must be an integer from 1 to ${max}`, parameter: 'limit' },
    ]);
  return n;
}

function stateParam(req: Request): 'open' | 'resolved' | undefined {
  const raw = req.query.state;
  if (raw === undefined) return undefined;
  if (raw === 'open' || raw === 'resolved') return raw;
  throw new ValidationError('state must be open or resolved', [{ message: 'must be "open" or "resolved"', parameter: 'state' }]);
}

/** `?org=`: one of the configured Genesys orgs (404 for another), or undefined when not given. */
function orgParam(req: Request, orgs: readonly string[]): string | undefined {
  const raw = req.query.org;
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string') throw new ValidationError('org must be given once', [{ message: 'must be one org name', parameter: 'org' }]);
  return knownOrg(raw, orgs);
}

/** `org` when it is a configured Genesys org; otherwise 404 not_found. */
export function knownOrg(org: string, orgs: readonly string[]): string {
  if (!orgs.includes(org)) throw new NotFoundError(`No Genesys org named ${org} is configured`);
  return org;
}

/** `GET /v1/trunks…`, `GET /v1/incidents` and `POST /v1/events` (docs/design.md, 'Status endpoints'). */
export function statusRoutes(deps: {
  status: StatusQueries;
  events: TrunkEventSink;
  /** The configured Genesys orgs, the default (first) one first. */
  orgs: readonly string[];
  access: AccessControl;
  body: RequestHandler;
}): Router {
  const { access } = deps;
  const router = Router();
  const validateEvent = bodyValidator<TrunkEventInput>(createSchemaEngine(), trunkEventSchema, {
    what: 'event',
    // Ajv reports a failed oneOf as one error per branch; say once what the rule is.
    rewrite: (errors) => {
      const details = validationDetails(errors.filter((e) => !e.schemaPath.startsWith('#/oneOf')));
      if (errors.some((e) => e.schemaPath.startsWith('#/oneOf'))) details.push({ path: '', message: ONE_OF_MESSAGE });
      return details;
    },
  });

  router.get('/trunks', access.allow('GET /v1/trunks'), async (req, res) => {
    res.json({ trunks: await deps.status.listTrunks({ org: orgParam(req, deps.orgs) }) } satisfies TrunkList);
  });
  router.get('/trunks/:id', access.allow('GET /v1/trunks/{id}'), async (req, res) => {
    const trunk = await deps.status.getTrunk(req.params.id);
    if (!trunk) throw new NotFoundError(`No trunk ${req.params.id} has been seen`);
    res.json(trunk);
  });
  router.get('/trunks/:id/events', access.allow('GET /v1/trunks/{id}/events'), async (req, res) => {
    const events = await deps.status.trunkEvents(req.params.id, limitParam(req, 50, 500));
    if (!events) throw new NotFoundError(`No trunk ${req.params.id} has been seen`);
    res.json({ events } satisfies TrunkEventList);
  });
  router.get('/incidents', access.allow('GET /v1/incidents'), async (req, res) => {
    const trunkId = typeof req.query.trunkId === 'string' ? req.query.trunkId : undefined;
    res.json({
      incidents: await deps.status.listIncidents({
        state: stateParam(req),
        trunkId,
        org: orgParam(req, deps.orgs),
        limit: limitParam(req, 100, 1000),
      }),
    } satisfies IncidentList);
  });
  router.post('/events', access.allow('POST /v1/events'), deps.body, async (req, res) => {
    const input = validateEvent(req.body);
    if (input.org !== undefined) knownOrg(input.org, deps.orgs);
    const { outcome } = await deps.events.ingestEvent(input);
    res.json({
      eventId: input.eventId,
      outcome,
      duplicate: outcome === 'duplicate',
      trunk: await deps.status.getTrunk(input.trunkId),
    } satisfies EventAccepted);
  });
  return router;
}
