import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadMappings } from '../../src/actions/mapping-loader.js';
import { MAPPING_TARGETS } from '../../src/app/create-upstreams.js';
import { buildOpenApi, buildOpenApi31 } from '../../src/http/openapi.js';
import { toOpenApi30Document, toOpenApi30Schema } from '../../src/http/openapi-schema.js';
import { trunkEventSchema, trunkViewSchema } from '../../src/http/status-schemas.js';
import { createSchemaEngine } from '../../src/validation/schema-engine.js';
import { servicenowOffenders } from '../support/servicenow-openapi.js';

const FURTHER = 'Further rules apply: /openapi-3.1.json has the exact JSON Schema.';
const offendersOf = (schema: unknown) => servicenowOffenders({ openapi: '3.0.3', components: { schemas: { S: schema } } });

describe('toOpenApi30Schema', () => {
  it('says null with nullable: true, from anyOf-with-null and from type arrays, and lists null in an enum', () => {
    expect(toOpenApi30Schema({ anyOf: [{ type: 'string', format: 'date-time' }, { type: 'null' }], description: 'when' })).toEqual({
      description: 'when',
      type: 'string',
      nullable: true,
      format: 'date-time',
    });
    expect(toOpenApi30Schema({ type: ['integer', 'null'] })).toEqual({ type: 'integer', nullable: true });
    expect(toOpenApi30Schema({ anyOf: [{ type: 'string', enum: ['a', 'b'] }, { type: 'null' }] })).toEqual({
      type: 'string',
      nullable: true,
      enum: ['a', 'b', null],
    });
    expect(
      toOpenApi30Schema({
        oneOf: [{ type: 'null' }, { type: 'object', title: 'Edge', required: ['id'], properties: { id: { type: 'string' } } }],
      }),
    ).toEqual({
      title: 'Edge',
      type: 'object',
      nullable: true,
      required: ['id'],
      properties: { id: { type: 'string' } },
    });
  });

  it('gives a union of types one type (string when strings are accepted) and says the rest in the description', () => {
    expect(toOpenApi30Schema({ type: ['string', 'integer'], enum: [1, 2, '1', '2'], minimum: 1, description: '1 High, 2 Medium' })).toEqual(
      { description: '1 High, 2 Medium. Also accepted as integer.', type: 'string', enum: ['1', '2'] },
    );
    expect(toOpenApi30Schema({ anyOf: [{ type: 'integer' }, { type: 'boolean' }, { type: 'null' }] })).toEqual({
      description: 'Also accepted as boolean.',
      type: 'integer',
      nullable: true,
    });
  });

  it('turns "give one of these fields" into a sentence, also inside allOf, and merges plain allOf parts', () => {
    const schema = {
      type: 'object',
      properties: { a: { type: 'string' } },
      allOf: [{ anyOf: [{ required: ['a'] }, { required: ['b'] }] }, { properties: { b: { type: 'string' } }, required: ['b'] }],
      oneOf: [{ required: ['c'] }, { required: ['d'] }],
    };
    expect(toOpenApi30Schema(schema)).toEqual({
      description: 'Give exactly one of: c, d. Give at least one of: a, b.',
      type: 'object',
      properties: { a: { type: 'string' }, b: { type: 'string' } },
      required: ['b'],
    });
  });

  it('maps 2020-12 keywords to their 3.0 forms and drops the ones 3.0 lacks, saying so', () => {
    expect(
      toOpenApi30Schema({ $schema: 'https://json-schema.org/draft/2020-12/schema', $id: 'x', const: 'fixed', examples: ['fixed'] }),
    ).toEqual({ enum: ['fixed'], example: 'fixed' });
    expect(toOpenApi30Schema({ type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 10, maximum: 5 })).toEqual({
      type: 'number',
      minimum: 0,
      exclusiveMinimum: true,
      maximum: 5,
    });
    expect(toOpenApi30Schema({ type: 'object', dependentRequired: { close_code: ['close_notes'] } })).toEqual({
      description: 'With close_code, also give close_notes.',
      type: 'object',
    });
    expect(toOpenApi30Schema({ type: 'array', prefixItems: [{ type: 'string' }] })).toEqual({
      description: FURTHER,
      type: 'array',
      items: {},
    });
    expect(toOpenApi30Schema({ type: 'string', if: { minLength: 3 }, then: { pattern: '^a' } })).toEqual({
      description: FURTHER,
      type: 'string',
    });
    expect(toOpenApi30Schema({ anyOf: [{ type: 'string', pattern: '^a' }, { type: 'object' }] })).toEqual({ description: FURTHER });
    expect(toOpenApi30Schema({ type: 'object', properties: { never: false, any: true } })).toEqual({
      type: 'object',
      properties: { never: { description: 'Not allowed: leave it out.' }, any: {} },
    });
  });

  it('inlines local $refs and stops at recursion, which ServiceNow cannot import', () => {
    const schema = {
      type: 'object',
      $defs: { id: { type: 'string', minLength: 1 }, node: { type: 'object', properties: { child: { $ref: '#/$defs/node' } } } },
      properties: { a: { $ref: '#/$defs/id' }, b: { anyOf: [{ $ref: '#/$defs/id' }, { type: 'null' }] }, tree: { $ref: '#/$defs/node' } },
    };
    expect(toOpenApi30Schema(schema)).toEqual({
      type: 'object',
      properties: {
        a: { type: 'string', minLength: 1 },
        b: { type: 'string', nullable: true, minLength: 1 },
        tree: { type: 'object', properties: { child: { description: FURTHER } } },
      },
    });
  });

  it('leaves the JSON Schemas it reads untouched (they stay what Ajv validates with)', () => {
    const before = JSON.stringify([trunkEventSchema, trunkViewSchema]);
    toOpenApi30Schema(trunkEventSchema);
    toOpenApi30Schema(trunkViewSchema);
    expect(JSON.stringify([trunkEventSchema, trunkViewSchema])).toBe(before);
  });

  it('the schemas it makes accept what the JSON Schema accepts, nulls included (Ajv reads nullable)', () => {
    const ajv = createSchemaEngine();
    const exact = ajv.compile(trunkViewSchema);
    const converted = ajv.compile(toOpenApi30Schema(trunkViewSchema));
    const trunk = {
      id: 't',
      name: null,
      state: 'rejected',
      healthy: false,
      signal: null,
      since: '2025-01-01T00:00:00Z',
      sipCode: 403,
      errorText: null,
      edge: null,
      trunkBase: null,
      proxyAddress: null,
      incident: { number: null, sysId: null, state: 'open', servicenowState: null },
      failingSince: null,
      lastSeenAt: '2025-01-01T00:00:00Z',
      source: 'poll',
      goneAt: null,
      org: 'default',
    };
    expect(exact(trunk)).toBe(true);
    for (const value of [trunk, { ...trunk, state: 'sideways' }, { ...trunk, incident: { ...trunk.incident, state: null } }])
      expect(converted(value)).toBe(exact(value));
    expect(offendersOf(toOpenApi30Schema(trunkViewSchema))).toEqual([]);
  });
});

describe('the OpenAPI documents', () => {
  const actions = loadMappings(path.resolve('mappings'), { defaultTimeoutMs: 10_000, targets: MAPPING_TARGETS }).map((m) => m.summary);

  it('/openapi.json is the 3.1 document with every schema converted', () => {
    const doc31 = buildOpenApi31({ version: 't', actions });
    expect(buildOpenApi({ version: 't', actions })).toEqual(toOpenApi30Document(doc31));
    expect(doc31.openapi).toBe('3.1.0');
    // The 3.1 form keeps the exact schemas, so the check does find what ServiceNow refuses in it.
    expect(servicenowOffenders(doc31)).toEqual(
      expect.arrayContaining([
        '$.openapi: "3.1.0" is not 3.0.x',
        "$.paths['/v1/events'].post.requestBody.content['application/json'].schema.oneOf: oneOf (ServiceNow does not support it)",
        "$.paths['/v1/trunks'].get.responses['200'].content['application/json'].schema.properties.trunks.items.properties.sipCode.anyOf: anyOf (ServiceNow does not support it)",
      ]),
    );
  });

  it('gives each action its own operationId, never one of a fixed endpoint', () => {
    const doc = buildOpenApi({ version: 't', actions: [...actions, { ...actions[0]!, name: 'list-trunks' }] });
    const paths = doc.paths as Record<string, { post: { operationId: string } }>;
    expect(paths['/v1/actions/get-trunk']!.post.operationId).toBe('getTrunkAction');
    expect(paths['/v1/actions/list-trunks']!.post.operationId).toBe('listTrunksAction');
    expect(paths['/v1/actions/create-incident']!.post.operationId).toBe('createIncident');
  });
});
