import type { ValidateFunction } from 'ajv';
import { ValidationError, type ErrorDetail } from '../errors/app-error.js';
import { validationDetails, type MessageOverride, type SchemaError } from './error-details.js';
import { createSchemaEngine, type SchemaEngine } from './schema-engine.js';

/** A compiled schema: a type guard whose `errors` holds the problems of the last value it refused. */
export type SchemaValidator<T = unknown> = ValidateFunction<T>;

/** Compiles a schema, turning Ajv's exceptions (an unknown keyword or format, a bad `$ref`) into one readable line. */
export function compileSchema<T = unknown>(engine: SchemaEngine, schema: unknown): SchemaValidator<T> {
  try {
    return engine.compile<T>(schema as object);
  } catch (err) {
    throw new Error(`not a valid JSON Schema: ${(err as Error).message}`, { cause: err });
  }
}

/** The outcome of a `schemaCheck`: the value, typed, or every problem. */
export type SchemaCheckResult<T> = { valid: true; value: T } | { valid: false; details: ErrorDetail[] };

/**
 * A schema as a function returning the value typed, or the `validation_failed` details of every
 * problem; `override` rewords single problems (e.g. a pattern as the rule it encodes).
 */
export function schemaCheck<T>(
  schema: object,
  options: { engine?: SchemaEngine; override?: MessageOverride } = {},
): (data: unknown) => SchemaCheckResult<T> {
  const validate = compileSchema<T>(options.engine ?? createSchemaEngine(), schema);
  return (data) =>
    validate(data) ? { valid: true, value: data } : { valid: false, details: validationDetails(validate.errors, options.override) };
}

/**
 * A function that returns the body typed when it matches `schema` and throws `validation_failed`
 * otherwise. `rewrite` may replace the details (e.g. one clear message for a `oneOf`).
 */
export function bodyValidator<T>(
  engine: SchemaEngine,
  schema: object,
  options: { what: string; rewrite?: (errors: readonly SchemaError[]) => ErrorDetail[] } = { what: 'request body' },
): (body: unknown) => T {
  const validate = compileSchema<T>(engine, schema);
  return (body: unknown): T => {
    if (body === undefined)
      throw new ValidationError(`The ${options.what} is missing; send a JSON object`, [{ path: '', message: 'a JSON object is required' }]);
    if (validate(body)) return body;
    const errors = validate.errors ?? [];
    throw new ValidationError(
      `The ${options.what} does not match its schema`,
      options.rewrite ? options.rewrite(errors) : validationDetails(errors),
    );
  };
}
