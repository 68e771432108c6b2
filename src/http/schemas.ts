import type { CredentialsEntry } from '../credentials/token-types.js';
import { ERROR_STATUS, type ErrorCode } from '../errors/app-error.js';
import type { SchemaType } from '../validation/schema-type.js';

/**
 * JSON Schemas of our own responses; the OpenAPI document and the tests both use these, and the types
 * of the responses are computed from them (`SchemaType`), so the code cannot send what they do not document.
 */
export const errorResponseSchema = {
  type: 'object',
  required: ['error', 'requestId'],
  additionalProperties: false,
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'details'],
      additionalProperties: false,
      properties: {
        code: {
          type: 'string',
          enum: Object.keys(ERROR_STATUS) as ErrorCode[],
        },
        message: { type: 'string' },
        details: {
          type: 'array',
          items: {
            type: 'object',
            description:
              'one problem; some carry more than a path (the query parameter, the permission, the parser reason, the upstream evidence)',
            required: ['message'],
            properties: { path: { type: 'string', description: 'JSON Pointer into the request body' }, message: { type: 'string' } },
            additionalProperties: true,
          },
        },
      },
    },
    requestId: { type: 'string' },
  },
} as const;

/** Every error response (docs/design.md, 'Error contract'). */
export type ErrorResponse = SchemaType<typeof errorResponseSchema>;

export const healthResponseSchema = {
  type: 'object',
  required: ['status'],
  properties: { status: { type: 'string', enum: ['ok'] }, uptimeSeconds: { type: 'number' }, version: { type: 'string' } },
} as const;

export type HealthResponse = SchemaType<typeof healthResponseSchema>;

export const readyResponseSchema = {
  type: 'object',
  required: ['status', 'checks'],
  properties: {
    status: { type: 'string', enum: ['ready', 'not_ready'] },
    checks: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        required: ['ok'],
        properties: {
          ok: { type: 'boolean' },
          detail: { type: 'string' },
          advisory: { type: 'boolean', description: 'shown only: a failing advisory check does not make the replica not ready' },
        },
      },
    },
  },
} as const;

export type ReadyResponse = SchemaType<typeof readyResponseSchema>;

export const actionListSchema = {
  type: 'object',
  required: ['actions'],
  properties: {
    actions: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'description', 'upstream', 'inputSchema', 'outputSchema', 'timeoutMs'],
        properties: {
          name: { type: 'string' },
          description: { type: 'string' },
          upstream: { type: 'string', description: 'the upstream the action calls, by name (genesys, servicenow)', minLength: 1 },
          inputSchema: { type: 'object' },
          outputSchema: { type: 'object' },
          timeoutMs: { type: 'integer' },
        },
      },
    },
  },
} as const;

/** `GET /v1/actions`. */
export type ActionList = SchemaType<typeof actionListSchema>;

const isoOrNull = (description: string) => ({ type: ['string', 'null'], format: 'date-time', description }) as const;

/** One connection in `GET /v1/credentials`; `satisfies` keeps it field for field with CredentialsEntry. */
const credentialsSnapshotProperties = {
  name: { type: 'string', description: 'the upstream, by name (genesys, servicenow)' },
  connection: {
    type: 'string',
    description: 'which connection of it: the Genesys org or ServiceNow instance name (`default` without a connections file)',
  },
  expiresAt: isoOrNull('when the current token expires; null when there is none (or Basic auth needs none)'),
  refreshedAt: isoOrNull('when the current token was obtained'),
  nextRefreshAt: isoOrNull('when the next refresh (or retry after a failure) is due'),
  refreshCount: { type: 'integer', minimum: 0, description: 'tokens obtained since start' },
  failureCount: { type: 'integer', minimum: 0, description: 'failed token requests since start' },
  lastError: { type: ['string', 'null'], description: 'the last token endpoint failure (never a secret)' },
  verified: { type: 'boolean', description: 'the upstream has confirmed the current token (Genesys: GET /api/v2/tokens/me)' },
  scopes: { type: 'array', items: { type: 'string' }, description: "the current token's scopes" },
  skewMs: { type: ['integer', 'null'], description: "the upstream clock minus ours, from the token response's Date header" },
  state: { type: 'string', enum: ['ok', 'refreshing', 'degraded', 'failed'] },
} as const satisfies Record<keyof CredentialsEntry, object>;

/** `GET /v1/credentials`: never a token or secret (no other field is allowed). */
export const credentialsResponseSchema = {
  title: 'Credentials',
  type: 'object',
  required: ['upstreams'],
  additionalProperties: false,
  properties: {
    upstreams: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: Object.keys(credentialsSnapshotProperties) as Array<keyof typeof credentialsSnapshotProperties>,
        properties: credentialsSnapshotProperties,
      },
    },
  },
} as const;

/** `GET /v1/credentials`. */
export type CredentialsResponse = SchemaType<typeof credentialsResponseSchema>;
