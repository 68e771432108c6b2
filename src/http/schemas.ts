import { ERROR_STATUS, type ErrorCode } from '../errors/app-error.js';

/** JSON Schemas of our own responses; the OpenAPI document and the tests both use these. */
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
            required: ['message'],
            properties: { path: { type: 'string', description: 'JSON Pointer into the request body' }, message: { type: 'string' } },
          },
        },
      },
    },
    requestId: { type: 'string' },
  },
} as const;

export const healthResponseSchema = {
  type: 'object',
  required: ['status'],
  properties: { status: { type: 'string', enum: ['ok'] }, uptimeSeconds: { type: 'number' }, version: { type: 'string' } },
} as const;

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
          upstream: { type: 'string', enum: ['genesys', 'servicenow'] },
          inputSchema: { type: 'object' },
          outputSchema: { type: 'object' },
          timeoutMs: { type: 'integer' },
        },
      },
    },
  },
} as const;
