import type { ActionSummary } from '../actions/action-service.js';
import { portableSchema } from '../actions/portable-schema.js';
import { statusPaths } from './openapi-status-paths.js';
import { actionListSchema, errorResponseSchema, healthResponseSchema, readyResponseSchema } from './schemas.js';

const errorRef = { $ref: '#/components/schemas/Error' };

function errorResponses(codes: number[]): Record<string, unknown> {
  const text: Record<number, string> = {
    400: 'invalid_json or validation_failed',
    401: 'unauthorized',
    403: 'forbidden',
    404: 'unknown_action or not_found',
    413: 'payload_too_large',
    415: 'unsupported_media_type',
    429: 'rate_limited (see Retry-After)',
    500: 'internal',
    502: 'upstream_error',
    503: 'upstream_unavailable, or store_unavailable (see Retry-After)',
    504: 'upstream_timeout',
  };
  return Object.fromEntries(codes.map((c) => [String(c), { description: text[c], content: { 'application/json': { schema: errorRef } } }]));
}

/** JSON Schema (draft 2020-12 style) → OpenAPI 3.1 schema: the same objects, minus `$schema`/`$id`. */
function forOpenApi(schema: Record<string, unknown>): Record<string, unknown> {
  const { $schema: _s, $id: _i, ...rest } = schema;
  return rest;
}

/** Builds /openapi.json from the schemas the code validates with and the loaded actions. */
export function buildOpenApi(options: { version: string; actions: ActionSummary[]; serverUrl?: string }) {
  const secured = [{ basicAuth: [] }, { bearerAuth: [] }, { apiKey: [] }];
  const paths: Record<string, unknown> = {
    '/healthz': { get: { summary: 'Liveness', operationId: 'getHealth', security: [], responses: { 200: { description: 'alive', content: { 'application/json': { schema: { $ref: '#/components/schemas/Health' } } } } } } },
    '/readyz': {
      get: {
        summary: 'Readiness: store reachable, mappings loaded, upstream tokens obtainable',
        operationId: 'getReadiness',
        security: [],
        responses: {
          200: { description: 'ready', content: { 'application/json': { schema: { $ref: '#/components/schemas/Ready' } } } },
          503: { description: 'not ready', content: { 'application/json': { schema: { $ref: '#/components/schemas/Ready' } } } },
        },
      },
    },
    '/metrics': { get: { summary: 'Prometheus metrics', operationId: 'getMetrics', security: [], responses: { 200: { description: 'Prometheus text format', content: { 'text/plain': { schema: { type: 'string' } } } } } } },
    '/v1/actions': {
      get: {
        summary: 'The Data Actions loaded, with their input and output schemas',
        operationId: 'listActions',
        responses: { 200: { description: 'actions', content: { 'application/json': { schema: { $ref: '#/components/schemas/ActionList' } } } }, ...errorResponses([401]) },
      },
    },
  };
  Object.assign(paths, statusPaths());
  for (const action of options.actions) {
    paths[`/v1/actions/${action.name}`] = {
      post: {
        summary: action.description,
        operationId: action.name.replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase()),
        tags: ['actions', action.upstream],
        description: `Runs the ${action.name} Data Action (${action.upstream}). The schemas here are simplified for import tools; GET /v1/actions has the exact ones.`,
        requestBody: { required: true, content: { 'application/json': { schema: portableSchema(forOpenApi(action.inputSchema)) } } },
        responses: {
          200: { description: 'the action result (flat JSON)', content: { 'application/json': { schema: portableSchema(forOpenApi(action.outputSchema)) } } },
          ...errorResponses([400, 401, 404, 413, 415, 429, 500, 502, 503, 504]),
        },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'trunkgate',
      version: options.version,
      description: 'Gateway between Genesys Cloud and ServiceNow: Data Actions, credential broker, trunk registration watchdog.',
    },
    ...(options.serverUrl ? { servers: [{ url: options.serverUrl }] } : {}),
    security: secured,
    paths,
    components: {
      securitySchemes: {
        basicAuth: { type: 'http', scheme: 'basic' },
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'an API key from GATEWAY_API_KEYS or a JWT verified against GATEWAY_JWKS_URL' },
        apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
      },
      schemas: {
        Error: errorResponseSchema,
        Health: healthResponseSchema,
        Ready: readyResponseSchema,
        ActionList: actionListSchema,
      },
    },
  };
}
