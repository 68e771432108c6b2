import type { FromSchema, JSONSchema } from 'json-schema-to-ts';

/** Keywords whose value is a schema, or a list or map of schemas, read by `Closed`. */
type SchemaKeyword = 'items' | 'additionalProperties' | 'anyOf' | 'oneOf' | 'allOf' | 'not' | 'prefixItems';

/**
 * The schema with every object schema that lists `properties` and says nothing of other fields read
 * as `additionalProperties: false`. Response schemas stay open in the documents, so a client accepts
 * a field added later; the code that writes a response must not send one they do not document.
 */
type Closed<S> = S extends readonly unknown[]
  ? { readonly [I in keyof S]: Closed<S[I]> }
  : S extends object
    ? {
        readonly [K in keyof S | (S extends { properties: object } ? 'additionalProperties' : never)]: K extends keyof S
          ? K extends 'properties'
            ? { readonly [P in keyof S[K]]: Closed<S[K][P]> }
            : K extends SchemaKeyword
              ? Closed<S[K]>
              : S[K]
          : false;
      }
    : S;

/**
 * The type of a value a JSON Schema documents (declared `as const`), computed by json-schema-to-ts's
 * `FromSchema`: a response type that cannot drift from the schema of its documentation. Fields are
 * exactly the documented ones; `required` decides which may be absent.
 */
export type SchemaType<S extends JSONSchema> = Closed<S> extends infer C extends JSONSchema ? FromSchema<C> : never;
