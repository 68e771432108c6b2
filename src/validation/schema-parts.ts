import type { JSONSchema } from 'json-schema-to-ts';

/**
 * Pieces the product's schemas share. Each keeps its literal type, so `SchemaType` can compute the
 * type of a schema built from them (a plain object literal would widen `'string'` to `string`).
 */

/** The schema, or null. `anyOf` rather than `type: [..., 'null']` so that it works for any schema, `$ref` and `enum` included. */
export const nullable = <const S extends JSONSchema>(schema: S) => ({ anyOf: [schema, { type: 'null' }] }) as const;

/** An RFC 3339 date-time (see `isDateTime` for what the engine accepts). */
export const dateTime = { type: 'string', format: 'date-time' } as const;
