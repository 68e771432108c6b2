import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors/app-error.js';
import { bodyValidator, compileSchema, schemaCheck } from '../../src/validation/compile.js';
import { validationDetails } from '../../src/validation/error-details.js';
import { createSchemaEngine, isDateTime } from '../../src/validation/schema-engine.js';

const detailsOf = (schema: object, value: unknown) => {
  const validate = createSchemaEngine().compile(schema);
  expect(validate(value)).toBe(false);
  return validationDetails(validate.errors);
};

describe('createSchemaEngine', () => {
  it('speaks draft 2020-12 (prefixItems, $defs)', () => {
    const validate = createSchemaEngine().compile({
      $defs: { n: { type: 'integer' } },
      type: 'array',
      prefixItems: [{ $ref: '#/$defs/n' }],
      minItems: 1,
      items: false,
    });
    expect(validate([1])).toBe(true);
    expect(validate([1, 2])).toBe(false);
    expect(validate(['a'])).toBe(false);
  });

  it('is strict: an unknown keyword or format stops the compile, with a readable line', () => {
    expect(() => compileSchema(createSchemaEngine(), { type: 'object', requried: ['a'] })).toThrow(
      /^not a valid JSON Schema: strict mode: unknown keyword: "requried"/,
    );
    expect(() => compileSchema(createSchemaEngine(), { type: 'string', format: 'colour' })).toThrow(/unknown format "colour"/);
    // A document that carries more than schemas (an OpenAPI document) is read with strict: false.
    expect(() => createSchemaEngine({ strict: false }).compile({ type: 'object', 'x-vendor': 1 })).not.toThrow();
  });

  it('knows the formats of ajv-formats', () => {
    const validate = createSchemaEngine().compile({ type: 'string', format: 'uuid' });
    expect(validate('3f2504e0-4f89-41d3-9a0c-0305e82c3301')).toBe(true);
    expect(validate('not-a-uuid')).toBe(false);
  });

  it('reads date-time as RFC 3339 that names an instant JavaScript can hold', () => {
    for (const ok of [
      '2025-01-01T00:00:00Z',
      '2025-01-01t00:00:00z',
      '2024-02-29T23:59:59.123456+05:30',
      '2025-01-01T00:00:00-00:00',
      '0000-02-29T00:00:00Z',
    ])
      expect(isDateTime(ok), ok).toBe(true);
    const refused = [
      'yesterday',
      '2025-01-01 00:00:00Z', // a space for the T
      '2025-01-01T00:00:00', // no zone
      '2025-01-01T00:00:00+0100', // zone without its colon
      '2025-01-01T00:00:00+01',
      '2016-12-31T23:59:60Z', // a leap second has no epoch millisecond
      '2025-02-29T00:00:00Z', // not a leap year
      '2025-04-31T00:00:00Z',
      '2025-13-01T00:00:00Z',
      '2025-01-01T24:00:00Z',
      '2025-01-01T00:00:00+24:00',
    ];
    for (const bad of refused) expect(isDateTime(bad), bad).toBe(false);
    expect(detailsOf({ type: 'string', format: 'date-time' }, '2025-02-30T00:00:00Z')).toEqual([
      { path: '', message: 'must match format "date-time"' },
    ]);
  });
});

describe('validationDetails', () => {
  const schema = {
    type: 'object',
    additionalProperties: false,
    required: ['name'],
    properties: {
      name: { type: 'string', maxLength: 3 },
      urgency: { enum: ['1', '2', 3] },
      impact: { type: ['string', 'integer'] },
      value: { type: ['string', 'number', 'boolean'] },
      'a/b': { type: 'integer', minimum: 1 },
    },
  };

  it('words each kind of problem one way, the path a JSON Pointer to the value or field', () => {
    expect(detailsOf(schema, { color: 'red', urgency: 4, impact: true, value: null, name: 'long', 'a/b': 0 })).toEqual([
      { path: '/color', message: 'is not an accepted field' },
      { path: '/name', message: 'must NOT have more than 3 characters' },
      { path: '/urgency', message: 'must be one of "1", "2", 3' },
      { path: '/impact', message: 'must be string or integer' },
      { path: '/value', message: 'must be string, number or boolean' },
      { path: '/a~1b', message: 'must be >= 1' },
    ]);
    expect(detailsOf(schema, {})).toEqual([{ path: '/name', message: 'is required' }]);
    expect(detailsOf(schema, [])).toEqual([{ path: '', message: 'must be object' }]);
  });

  it('reports a value of the wrong type once, not once per keyword it then fails', () => {
    expect(detailsOf({ type: 'object', properties: { n: { type: 'integer', enum: [1, 2] } } }, { n: 'x' })).toEqual([
      { path: '/n', message: 'must be integer' },
    ]);
  });

  it('folds an anyOf of required fields into one problem, and drops a oneOf whose branches speak for it', () => {
    const either = {
      type: 'object',
      properties: { sys_id: { type: 'string' }, number: { type: 'string' } },
      anyOf: [{ required: ['sys_id'] }, { required: ['number'] }],
    };
    expect(detailsOf(either, {})).toEqual([{ path: '/sys_id', message: 'one of sys_id, number is required' }]);
    const branches = { oneOf: [{ type: 'string' }, { type: 'integer' }] };
    expect(detailsOf(branches, true)).toEqual([
      { path: '', message: 'must be string' },
      { path: '', message: 'must be integer' },
    ]);
  });

  it('lets a caller reword one problem, keeping its path', () => {
    const validate = createSchemaEngine().compile({ type: 'object', properties: { name: { type: 'string', pattern: '^[a-z]+$' } } });
    validate({ name: 'A!' });
    expect(
      validationDetails(validate.errors, (e, path) => (e.keyword === 'pattern' ? `${path} must be lower-case letters` : undefined)),
    ).toEqual([{ path: '/name', message: '/name must be lower-case letters' }]);
  });
});

describe('schemaCheck and bodyValidator', () => {
  const schema = { type: 'object', required: ['a'], properties: { a: { type: 'string' } } };

  it('schemaCheck gives the value typed, or every problem', () => {
    const check = schemaCheck<{ a: string }>(schema);
    expect(check({ a: 'x' })).toEqual({ valid: true, value: { a: 'x' } });
    expect(check({ a: 1 })).toEqual({ valid: false, details: [{ path: '/a', message: 'must be string' }] });
  });

  it('bodyValidator throws validation_failed naming what is validated, and may rewrite the details', () => {
    const validate = bodyValidator<{ a: string }>(createSchemaEngine(), schema, { what: 'event' });
    expect(validate({ a: 'x' })).toEqual({ a: 'x' });
    expect(() => validate(undefined)).toThrow(
      expect.objectContaining({
        message: 'The event is missing; send a JSON object',
        details: [{ path: '', message: 'a JSON object is required' }],
      }),
    );
    const err = (() => {
      try {
        validate({});
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ValidationError);
    expect(err).toMatchObject({
      code: 'validation_failed',
      message: 'The event does not match its schema',
      details: [{ path: '/a', message: 'is required' }],
    });
    const rewritten = bodyValidator(createSchemaEngine(), schema, {
      what: 'event',
      rewrite: (errors) => [{ path: '', message: `${errors.length} problem` }],
    });
    expect(() => rewritten({})).toThrow(expect.objectContaining({ details: [{ path: '', message: '1 problem' }] }));
  });
});

describe('src/validation', () => {
  it('imports nothing of trunkgate but src/errors', () => {
    const dir = new URL('../../src/validation/', import.meta.url);
    for (const file of fs.readdirSync(dir)) {
      const text = fs.readFileSync(new URL(file, dir), 'utf8');
      for (const [, spec] of text.matchAll(/from '(\.[^']+)'/g)) expect(spec, file).toMatch(/^(\.\/|\.\.\/errors\/)/);
    }
  });
});
