import type { ActionSummary } from '../actions/action-service.js';
import { actionPermission, ROUTE_PERMISSIONS } from '../callers/permissions.js';
import { CONNECTION_NAME } from '../config/connections.js';
import { errorResponse, INTERNAL, jsonResponse as json, v1Errors } from './openapi-responses.js';
import { toOpenApi30Document } from './openapi-schema.js';
import { auditPaths } from './openapi-audit-paths.js';
import { maintenancePaths } from './openapi-maintenance-paths.js';
import { statusPaths } from './openapi-status-paths.js';
import { actionListSchema, credentialsResponseSchema, errorResponseSchema, healthResponseSchema, readyResponseSchema } from './schemas.js';

type Schema = Record<string, unknown>;
type Options = { version: string; actions: ActionSummary[]; serverUrl?: string };

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const openErrors = { 500: errorResponse(INTERNAL) };

/** A mapping's JSON Schema as a 3.1 Schema Object: the same, minus `$schema`/`$id` (the document sets the dialect). */
function exact(schema: Schema): Schema {
  const { $schema: _s, $id: _i, ...rest } = schema;
  return rest;
}

const camel = (name: string) => name.replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase());

/** The `{org}` path parameter of the per-org routes (README, "Several orgs"). */
const ORG_PARAMETER = {
  name: 'org',
  in: 'path',
  required: true,
  schema: { type: 'string', pattern: CONNECTION_NAME.source },
  description: "a Genesys org of CONNECTIONS_FILE (without one, the only org is 'default'); another name is 404 not_found",
};
const UNKNOWN_ORG = 'not_found: no Genesys org of that name is configured';

/**
 * `POST /v1/actions/{name}` once per loaded action, with its own schemas, and the same under
 * `/v1/orgs/{org}/actions/{name}` (the action against that org's Genesys and its ServiceNow instance).
 */
function actionPaths(actions: ActionSummary[], taken: Set<string>): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  const unique = (base: string) => {
    let operationId = base;
    for (let n = 1; taken.has(operationId); n += 1) operationId = `${base}Action${n > 1 ? n : ''}`;
    taken.add(operationId);
    return operationId;
  };
  for (const action of [...actions].sort((a, b) => a.name.localeCompare(b.name))) {
    // An action named like a fixed endpoint (get-trunk vs GET /v1/trunks/{id}) gets a suffix: ids stay unique and do not depend on load order.
    const operationId = unique(camel(action.name));
    const operation = (id: string, org: boolean) => ({
      summary: action.description,
      operationId: id,
      tags: ['actions', action.upstream],
      description: `Runs the ${action.name} Data Action (${action.upstream})${org ? " against the org's Genesys Cloud and its ServiceNow instance" : ''}. Its exact JSON Schemas are in GET /v1/actions and /openapi-3.1.json.`,
      ...(org ? { parameters: [ORG_PARAMETER] } : {}),
      requestBody: { required: true, content: { 'application/json': { schema: exact(action.inputSchema) } } },
      responses: {
        200: json(exact(action.outputSchema), 'the action result (flat JSON)'),
        ...v1Errors(`${actionPermission(action.name)} (or actions:run)`, {
          400: 'invalid_json or validation_failed (details name each problem with a JSON Pointer)',
          404: org
            ? 'not_found: the record asked for does not exist, or no Genesys org of that name is configured'
            : 'not_found: the record asked for does not exist',
          413: 'payload_too_large',
          415: 'unsupported_media_type',
          429: "rate_limited: over the caller's rate limit, or trunkgate's upstream budget or the upstream asks to slow down (see Retry-After)",
          502: 'upstream_error: the upstream answered with an error (details name the upstream, operation and status)',
          503: 'upstream_unavailable: the upstream refused or reset the connection, or answered 503',
          504: 'upstream_timeout: the action deadline passed',
        }),
      },
    });
    paths[`/v1/actions/${action.name}`] = { post: operation(operationId, false) };
    paths[`/v1/orgs/{org}/actions/${action.name}`] = { post: operation(unique(`${camel(action.name)}InOrg`), true) };
  }
  return paths;
}

/** `POST …/actions/{name}`: any loaded action by name, for the default org or (`org`) under `/v1/orgs/{org}`. */
function runByName(o: { summary: string; operationId: string; org: boolean }): Schema {
  return {
    summary: o.summary,
    operationId: o.operationId,
    tags: ['actions'],
    parameters: [
      ...(o.org ? [ORG_PARAMETER] : []),
      {
        name: 'name',
        in: 'path',
        required: true,
        schema: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,62}$' },
        description: `the action name (GET ${o.org ? '/v1/orgs/{org}/actions' : '/v1/actions'} lists them)`,
      },
    ],
    requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', description: "the action's input" } } } },
    responses: {
      200: json({ type: 'object', description: "the action's flat output" }, 'the action result'),
      ...v1Errors('actions:run:<name> (or actions:run)', {
        400: 'invalid_json or validation_failed',
        404: o.org ? `${UNKNOWN_ORG}; unknown_action; or not_found (the record asked for)` : 'unknown_action, or not_found',
        413: 'payload_too_large',
        415: 'unsupported_media_type',
        429: 'rate_limited (see Retry-After)',
        502: 'upstream_error',
        503: 'upstream_unavailable',
        504: 'upstream_timeout',
      }),
    },
  };
}

/** `GET /v1/orgs/{org}/actions` and `POST /v1/orgs/{org}/actions/{name}`: the action routes of one org. */
function orgActionPaths(): Record<string, Record<string, Schema>> {
  return {
    '/v1/orgs/{org}/actions': {
      get: {
        summary: 'The Data Actions loaded, as GET /v1/actions, for one Genesys org',
        operationId: 'listOrgActions',
        tags: ['actions'],
        parameters: [ORG_PARAMETER],
        responses: {
          200: json(ref('ActionList'), 'the actions this caller may run'),
          ...v1Errors('actions:run (or any actions:run:<action>)', { 404: UNKNOWN_ORG }),
        },
      },
    },
    '/v1/orgs/{org}/actions/{name}': {
      post: runByName({
        summary: "Run any loaded Data Action by name against one org's Genesys Cloud and its ServiceNow instance",
        operationId: 'runOrgAction',
        org: true,
      }),
    },
  };
}

function fixedPaths(): Record<string, Record<string, Schema>> {
  const document = (what: string, operationId: string) => ({
    get: { summary: what, operationId, security: [], responses: { 200: json({ type: 'object' }, 'the OpenAPI document'), ...openErrors } },
  });
  return {
    '/healthz': {
      get: { summary: 'Liveness', operationId: 'getHealth', security: [], responses: { 200: json(ref('Health'), 'alive'), ...openErrors } },
    },
    '/readyz': {
      get: {
        summary: 'Readiness: store reachable, mappings loaded, upstream tokens obtainable',
        operationId: 'getReadiness',
        security: [],
        responses: { 200: json(ref('Ready'), 'ready'), 503: json(ref('Ready'), 'not ready: the failing checks say why'), ...openErrors },
      },
    },
    '/metrics': {
      get: {
        summary: 'Prometheus metrics',
        operationId: 'getMetrics',
        security: [],
        responses: {
          200: { description: 'Prometheus text format', content: { 'text/plain': { schema: { type: 'string' } } } },
          ...openErrors,
        },
      },
    },
    '/openapi.json': document('This document (OpenAPI 3.0.3, what ServiceNow imports)', 'getOpenApi'),
    '/openapi-3.1.json': document('This document as OpenAPI 3.1, with the exact JSON Schemas', 'getOpenApi31'),
    '/v1/actions': {
      get: {
        summary: 'The Data Actions loaded, with their input and output schemas',
        operationId: 'listActions',
        tags: ['actions'],
        responses: {
          200: json(ref('ActionList'), 'the actions this caller may run'),
          ...v1Errors('actions:run (or any actions:run:<action>)'),
        },
      },
    },
    '/v1/actions/{name}': {
      post: runByName({
        summary: 'Run any loaded Data Action by name (each also has its own path, with its schemas)',
        operationId: 'runAction',
        org: false,
      }),
    },
    '/v1/credentials': {
      get: {
        summary:
          'Per connection (each Genesys org, each ServiceNow instance): token expiry, refresh times and counts, failures, scopes, clock skew (never the token)',
        operationId: 'getCredentials',
        tags: ['credentials'],
        responses: { 200: json(ref('Credentials'), 'one entry per connection'), ...v1Errors(ROUTE_PERMISSIONS['GET /v1/credentials']) },
      },
    },
  };
}

/** The OpenAPI 3.1 document: the JSON Schemas exactly as the code validates with them. */
export function buildOpenApi31(options: Options): Schema {
  const paths: Record<string, unknown> = { ...fixedPaths(), ...orgActionPaths(), ...statusPaths(), ...auditPaths(), ...maintenancePaths() };
  const taken = new Set(
    Object.values(paths).flatMap((item) => Object.values(item as Record<string, { operationId: string }>).map((op) => op.operationId)),
  );
  Object.assign(paths, actionPaths(options.actions, taken));
  return {
    openapi: '3.1.0',
    info: {
      title: 'trunkgate',
      version: options.version,
      description:
        'Gateway between Genesys Cloud and ServiceNow: Data Actions, credential broker, trunk registration watchdog. Each /v1 operation needs one permission of the caller (actions:run or actions:run:<action>, events:write, status:read, audit:read, maintenance:write), named in its 403 response.',
    },
    ...(options.serverUrl ? { servers: [{ url: options.serverUrl }] } : {}),
    security: [{ basicAuth: [] }, { bearerAuth: [] }, { apiKey: [] }],
    paths,
    components: {
      securitySchemes: {
        basicAuth: { type: 'http', scheme: 'basic' },
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          description: 'an API key from GATEWAY_API_KEYS or a JWT verified against GATEWAY_JWKS_URL',
        },
        apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
      },
      schemas: {
        Error: errorResponseSchema,
        Health: healthResponseSchema,
        Ready: readyResponseSchema,
        ActionList: actionListSchema,
        Credentials: credentialsResponseSchema,
      },
    },
  };
}

/** `/openapi.json`: OpenAPI 3.0.3, which ServiceNow imports (see openapi-schema.ts for why and how). */
export function buildOpenApi(options: Options): Schema {
  return toOpenApi30Document(buildOpenApi31(options));
}
