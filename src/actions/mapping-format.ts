import type { MappingTarget, UpstreamName } from '../upstream/upstream-descriptor.js';

/** A step of a mapping file: one upstream request and what to make of its answer. */
export interface MappingStep {
  name: string;
  when?: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string | number | boolean>;
  body?: unknown;
  idempotent?: boolean;
  select?: string;
  notFoundWhen?: string;
  notFoundOn404?: boolean;
  notFoundMessage?: string;
  finishWhen?: string;
  confirmWith?: string;
}

/** A file in `mappings/actions/` as written (README "Action mappings"). */
export interface MappingFile {
  name: string;
  description: string;
  upstream: UpstreamName;
  timeoutMs?: number;
  input: Record<string, unknown>;
  steps: MappingStep[];
  output: { schema: Record<string, unknown>; fields: Record<string, unknown> };
}

const expression = { type: 'string', minLength: 1, description: 'a JSONata expression' };
const template = { type: 'string', description: 'text with ${JSONata} placeholders' };

/** The JSON Schema every mapping file is checked against at start-up, `upstream` naming one of `targets`. */
export function mappingFileSchema(targets: readonly MappingTarget[]) {
  return { ...fileSchema, properties: { ...fileSchema.properties, upstream: { enum: targets.map((t) => t.name) } } };
}

const fileSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  additionalProperties: false,
  required: ['name', 'description', 'upstream', 'input', 'steps', 'output'],
  properties: {
    name: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,62}$', description: 'the action name, same as the file name' },
    description: { type: 'string', minLength: 1 },
    upstream: { type: 'string' }, // the configured upstreams' names: mappingFileSchema(targets)
    timeoutMs: { type: 'integer', minimum: 100, maximum: 60_000, description: 'deadline of one run, retries included' },
    input: {
      type: 'object',
      required: ['type'],
      properties: { type: { const: 'object' } },
      description: 'JSON Schema of the request body',
    },
    steps: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'method', 'path'],
        properties: {
          name: { type: 'string', pattern: '^[a-z][A-Za-z0-9_]{0,40}$' },
          when: expression,
          method: { enum: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] },
          path: { type: 'string', pattern: '^/', description: 'template; each placeholder value is escaped as one path segment' },
          query: { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] } },
          body: { type: ['object', 'array'] },
          idempotent: { type: 'boolean' },
          select: expression,
          notFoundWhen: expression,
          notFoundOn404: { type: 'boolean' },
          notFoundMessage: template,
          finishWhen: expression,
          confirmWith: { type: 'string' },
        },
      },
    },
    output: {
      type: 'object',
      additionalProperties: false,
      required: ['schema', 'fields'],
      properties: {
        schema: {
          type: 'object',
          required: ['type', 'properties'],
          properties: { type: { const: 'object' }, properties: { type: 'object' } },
        },
        fields: { type: 'object', minProperties: 1, additionalProperties: { type: ['string', 'number', 'boolean', 'null'] } },
      },
    },
  },
} as const;
