import { Ajv, type ErrorObject } from 'ajv';
import { ValidationError, type ErrorDetail } from '../errors/app-error.js';

/** RFC 3339 date-time with a zone, as JSON Schema's `date-time` format means it. */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/i;

/** One Ajv per validator set: draft-07 schemas, every problem reported. */
export function createAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: false });
  ajv.addFormat('date-time', { type: 'string', validate: (s: string) => DATE_TIME.test(s) && !Number.isNaN(Date.parse(s)) });
  return ajv;
}

const escapePointer = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

/** An Ajv error as a `validation_failed` detail (docs/design.md, 'Error contract'): `path` is a JSON Pointer to the offending value. */
export function errorDetail(e: ErrorObject): ErrorDetail {
  const params = e.params as { missingProperty?: string; additionalProperty?: string; allowedValues?: unknown[] };
  if (e.keyword === 'required' && params.missingProperty) return { path: `${e.instancePath}/${escapePointer(params.missingProperty)}`, message: 'is required' };
  if (e.keyword === 'additionalProperties' && params.additionalProperty) return { path: `${e.instancePath}/${escapePointer(params.additionalProperty)}`, message: 'is not allowed here' };
  if (e.keyword === 'enum' && params.allowedValues) return { path: e.instancePath, message: `must be one of ${params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}` };
  return { path: e.instancePath, message: e.message ?? 'is invalid' };
}

/**
 * A function that returns the body typed when it matches `schema` and throws `validation_failed`
 * otherwise. `rewrite` may replace Ajv's details (e.g. one clear message for a `oneOf`).
 */
export function bodyValidator<T>(ajv: Ajv, schema: object, options: { what: string; rewrite?: (errors: ErrorObject[]) => ErrorDetail[] } = { what: 'request body' }): (body: unknown) => T {
  const validate = ajv.compile(schema);
  return (body: unknown): T => {
    if (body === undefined) throw new ValidationError(`The ${options.what} is missing; send a JSON object`, [{ path: '', message: 'a JSON object is required' }]);
    if (validate(body)) return body as T;
    const errors = validate.errors ?? [];
    const details = options.rewrite ? options.rewrite(errors) : errors.map(errorDetail);
    throw new ValidationError(`The ${options.what} does not match its schema`, details);
  };
}
