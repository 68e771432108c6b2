import { ROUTE_PERMISSIONS, type RouteKey } from '../callers/permissions.js';
import { CONNECTION_NAME } from '../config/connections.js';
import { jsonResponse as json, STORE_UNAVAILABLE, v1Errors } from './openapi-responses.js';
import {
  eventAcceptedSchema,
  incidentListSchema,
  trunkEventListSchema,
  trunkEventSchema,
  trunkListSchema,
  trunkViewSchema,
} from './status-schemas.js';

/** Path objects of the trunk and incident endpoints, from the JSON Schemas the routes validate with. */
export function statusPaths(): Record<string, unknown> {
  const trunkId = { name: 'id', in: 'path', required: true, schema: { type: 'string' }, description: 'Genesys Cloud trunk id' };
  const limit = (fallback: number, max: number) => ({
    name: 'limit',
    in: 'query',
    required: false,
    schema: { type: 'integer', minimum: 1, maximum: max, default: fallback },
  });
  const org = {
    name: 'org',
    in: 'query',
    required: false,
    schema: { type: 'string', pattern: CONNECTION_NAME.source },
    description:
      "only this Genesys org's (a name of CONNECTIONS_FILE; without one, the only org is 'default'); another name is 404 not_found",
  };
  const UNKNOWN_ORG = 'not_found: no Genesys org of that name (org) is configured';
  const tags = ['trunks'];
  // Every one of these reads or writes the store.
  const errors = (route: RouteKey, extra: Record<number, string> = {}) =>
    v1Errors(ROUTE_PERMISSIONS[route], { 503: STORE_UNAVAILABLE, ...extra });
  return {
    '/v1/trunks': {
      get: {
        summary: 'Every watched trunk: registration state, since when, last error, open incident',
        operationId: 'listTrunks',
        tags,
        parameters: [org],
        responses: {
          200: json(trunkListSchema, 'trunks'),
          ...errors('GET /v1/trunks', { 400: 'validation_failed: org given more than once', 404: UNKNOWN_ORG }),
        },
      },
    },
    '/v1/trunks/{id}': {
      get: {
        summary: 'One trunk',
        operationId: 'getTrunk',
        tags,
        parameters: [trunkId],
        responses: {
          200: json(trunkViewSchema, 'the trunk'),
          ...errors('GET /v1/trunks/{id}', {
            400: 'validation_failed: a %-escape in the id does not decode',
            404: 'not_found: no such trunk has been seen',
          }),
        },
      },
    },
    '/v1/trunks/{id}/events': {
      get: {
        summary: "The trunk's recent state changes, newest first",
        operationId: 'listTrunkEvents',
        tags,
        parameters: [trunkId, limit(50, 500)],
        responses: {
          200: json(trunkEventListSchema, 'state changes'),
          ...errors('GET /v1/trunks/{id}/events', {
            400: 'validation_failed (limit, or a %-escape in the id that does not decode)',
            404: 'not_found: no such trunk has been seen',
          }),
        },
      },
    },
    '/v1/incidents': {
      get: {
        summary: 'Incidents trunkgate opened, newest first, with their pending ServiceNow deliveries',
        operationId: 'listIncidents',
        tags: ['incidents'],
        parameters: [
          { name: 'state', in: 'query', required: false, schema: { type: 'string', enum: ['open', 'resolved'] } },
          { name: 'trunkId', in: 'query', required: false, schema: { type: 'string' } },
          org,
          limit(100, 1000),
        ],
        responses: {
          200: json(incidentListSchema, 'incidents'),
          ...errors('GET /v1/incidents', { 400: 'validation_failed (state, limit, org)', 404: UNKNOWN_ORG }),
        },
      },
    },
    '/v1/events': {
      post: {
        summary: 'Ingest a registration event from another source; a resent event (same eventId) is ignored',
        operationId: 'postTrunkEvent',
        tags,
        requestBody: { required: true, content: { 'application/json': { schema: trunkEventSchema } } },
        responses: {
          200: json(eventAcceptedSchema, 'recorded (or recognised as a duplicate)'),
          ...errors('POST /v1/events', {
            400: 'invalid_json or validation_failed (details name each problem with a JSON Pointer)',
            404: 'not_found: the event names an org (org) that is not configured',
            413: 'payload_too_large',
            415: 'unsupported_media_type',
          }),
        },
      },
    },
  };
}
