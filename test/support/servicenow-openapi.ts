/**
 * What ServiceNow's OpenAPI import cannot take, found in a document: each offender with its JSON
 * path. ServiceNow imports OpenAPI 2.0/3.0 without oneOf, anyOf, discriminator or callbacks
 * (docs/servicenow.md, "OpenAPI import"); JSON Schema keywords that 3.0 lacks are refused too.
 */
type Node = Record<string, unknown>;

/** The Schema Object keywords of OpenAPI 3.0.3 (besides `x-` extensions). */
const OPENAPI_30_KEYWORDS = new Set([
  'title',
  'multipleOf',
  'maximum',
  'exclusiveMaximum',
  'minimum',
  'exclusiveMinimum',
  'maxLength',
  'minLength',
  'pattern',
  'maxItems',
  'minItems',
  'uniqueItems',
  'maxProperties',
  'minProperties',
  'required',
  'enum',
  'type',
  'allOf',
  'oneOf',
  'anyOf',
  'not',
  'items',
  'properties',
  'additionalProperties',
  'description',
  'format',
  'default',
  'nullable',
  'discriminator',
  'readOnly',
  'writeOnly',
  'xml',
  'externalDocs',
  'example',
  'deprecated',
  '$ref',
]);
/** Valid 3.0, but not for ServiceNow (or not in what trunkgate promises it). */
const REFUSED = new Set(['anyOf', 'oneOf', 'allOf', 'discriminator', 'not']);

const isObject = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);
const step = (path: string, key: string | number) =>
  typeof key === 'number' ? `${path}[${key}]` : /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}['${key}']`;

function checkSchema(schema: unknown, path: string, out: string[]): void {
  if (!isObject(schema)) {
    out.push(`${path}: not a Schema Object (${JSON.stringify(schema)})`);
    return;
  }
  for (const key of Object.keys(schema)) {
    if (key.startsWith('x-')) continue;
    if (REFUSED.has(key)) out.push(`${step(path, key)}: ${key} (ServiceNow does not support it)`);
    else if (!OPENAPI_30_KEYWORDS.has(key)) out.push(`${step(path, key)}: ${key} is not an OpenAPI 3.0 keyword`);
  }
  if (Array.isArray(schema.type)) out.push(`${step(path, 'type')}: a type array (${JSON.stringify(schema.type)})`);
  else if (schema.type === 'null') out.push(`${step(path, 'type')}: type "null" (3.0 says nullable: true)`);
  for (const bound of ['exclusiveMinimum', 'exclusiveMaximum']) {
    if (bound in schema && typeof schema[bound] !== 'boolean')
      out.push(`${step(path, bound)}: a number (3.0 takes a boolean beside minimum/maximum)`);
  }
  if (schema.nullable === true && schema.type === undefined) out.push(`${step(path, 'nullable')}: nullable without a type`);
  if (schema.type === 'array' && schema.items === undefined) out.push(`${path}: an array without items`);
  if (isObject(schema.properties))
    for (const [name, sub] of Object.entries(schema.properties)) checkSchema(sub, step(step(path, 'properties'), name), out);
  for (const key of ['items', 'not']) if (key in schema) checkSchema(schema[key], step(path, key), out);
  if (isObject(schema.additionalProperties)) checkSchema(schema.additionalProperties, step(path, 'additionalProperties'), out);
  for (const key of ['allOf', 'anyOf', 'oneOf'])
    if (Array.isArray(schema[key])) (schema[key] as unknown[]).forEach((sub, i) => checkSchema(sub, step(step(path, key), i), out));
}

function walk(node: unknown, path: string, out: string[]): void {
  if (Array.isArray(node)) {
    node.forEach((v, i) => walk(v, step(path, i), out));
    return;
  }
  if (!isObject(node)) return;
  for (const [key, value] of Object.entries(node)) {
    const here = step(path, key);
    if (key === 'example' || key === 'examples') continue; // example values are data, not schemas
    if (key === 'callbacks' || key === 'webhooks') out.push(`${here}: ${key} (ServiceNow does not support them)`);
    else if (key === 'schema') checkSchema(value, here, out);
    else if (path === '$.components' && key === 'schemas' && isObject(value))
      for (const [name, s] of Object.entries(value)) checkSchema(s, step(here, name), out);
    else walk(value, here, out);
  }
}

/** Every construct of `doc` that ServiceNow's import rejects, as "JSON path: what" lines; empty when none. */
export function servicenowOffenders(doc: unknown): string[] {
  const out: string[] = [];
  if (!isObject(doc) || typeof doc.openapi !== 'string' || !/^3\.0\.\d+$/.test(doc.openapi))
    out.push(`$.openapi: ${JSON.stringify(isObject(doc) ? doc.openapi : doc)} is not 3.0.x`);
  walk(doc, '$', out);
  return out;
}
