import { errorResponseSchema } from './schemas.js';
import { eventAcceptedSchema, incidentListSchema, trunkEventListSchema, trunkEventSchema, trunkListSchema, trunkViewSchema } from './status-schemas.js';

/** OpenAPI 3.1 path objects of the trunk and incident endpoints, from the schemas the routes validate with. */
export function statusPaths(): Record<string, unknown> {
  const json = (schema: unknown, description: string) => ({ description, content: { 'application/json': { schema } } });
  const error = (description: string) => json(errorResponseSchema, description);
  const trunkId = { name: 'id', in: 'path', required: true, schema: { type: 'string' }, description: 'Genesys Cloud trunk id' };
  const limit = (fallback: number, max: number) => ({ name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: max, default: fallback } });
  const tags = ['trunks'];
  // Every one of these reads or writes the store.
  const storeDown = error('store_unavailable: the store (PostgreSQL) cannot be reached; nothing was recorded, retry after Retry-After');
  return {
    '/v1/trunks': {
      get: { summary: 'Every watched trunk: registration state, since when, last error, open incident', operationId: 'listTrunks', tags, responses: { 200: json(trunkListSchema, 'trunks'), 401: error('unauthorized'), 503: storeDown } },
    },
    '/v1/trunks/{id}': {
      get: { summary: 'One trunk', operationId: 'getTrunk', tags, parameters: [trunkId], responses: { 200: json(trunkViewSchema, 'the trunk'), 401: error('unauthorized'), 404: error('not_found: no such trunk has been seen'), 503: storeDown } },
    },
    '/v1/trunks/{id}/events': {
      get: {
        summary: "The trunk's recent state changes, newest first",
        operationId: 'listTrunkEvents',
        tags,
        parameters: [trunkId, limit(50, 500)],
        responses: { 200: json(trunkEventListSchema, 'state changes'), 400: error('validation_failed (limit)'), 401: error('unauthorized'), 404: error('not_found'), 503: storeDown },
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
          limit(100, 1000),
        ],
        responses: { 200: json(incidentListSchema, 'incidents'), 400: error('validation_failed (state, limit)'), 401: error('unauthorized'), 503: storeDown },
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
          400: error('invalid_json or validation_failed (details name each problem with a JSON Pointer)'),
          401: error('unauthorized'),
          413: error('payload_too_large'),
          415: error('unsupported_media_type'),
          503: storeDown,
        },
      },
    },
  };
}
