import { compositionSentences, joinSentences, pruneForType, requiredAlternatives, singleType } from '../actions/portable-schema.js';

/**
 * OpenAPI 3.0.3 from the JSON Schemas trunkgate validates with.
 *
 * Why 3.0: ServiceNow imports OpenAPI 2.0 or 3.0 (3.1 is not listed), and its spoke generator and
 * OpenAPI step do not support oneOf, anyOf, discriminator, callbacks or recursive references
 * (https://www.servicenow.com/docs/r/zurich/integrate-applications/integration-hub/open-api-step-action-designer.html,
 * https://www.servicenow.com/docs/r/zurich/build-workflows/workflow-studio/spoke-builder.html;
 * docs/servicenow.md, "OpenAPI import"). The JSON Schemas stay the one source of truth: Ajv validates
 * with them, and a converted copy is made when the document is built. What 3.0 cannot say becomes a
 * sentence in `description`; /openapi-3.1.json keeps the exact schemas.
 */
type Schema = Record<string, unknown>;

/** Schema Object keywords OpenAPI 3.0 has that mean the same as in JSON Schema: copied as they are. */
const COPIED = [
  'title',
  'description',
  'default',
  'format',
  'pattern',
  'multipleOf',
  'maximum',
  'minimum',
  'maxLength',
  'minLength',
  'maxItems',
  'minItems',
  'uniqueItems',
  'maxProperties',
  'minProperties',
  'readOnly',
  'writeOnly',
  'deprecated',
  'example',
  'externalDocs',
  'enum',
  'nullable',
];
/** Constraints 3.0 (or ServiceNow) cannot express: dropped, with FURTHER_RULES in the description. */
const UNSAYABLE = [
  'if',
  'then',
  'else',
  'not',
  'dependentSchemas',
  'patternProperties',
  'propertyNames',
  'contains',
  'prefixItems',
  'additionalItems',
  'unevaluatedProperties',
  'unevaluatedItems',
];
const FURTHER_RULES = 'Further rules apply: /openapi-3.1.json has the exact JSON Schema.';
const OPERATIONS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

interface Context {
  root: Schema;
  /** Local `$ref`s being inlined on the way here: a repeat is recursion, which ServiceNow cannot import. */
  refs: string[];
}

const isObject = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNullSchema = (v: unknown) => isObject(v) && (v.type === 'null' || (v.const === null && v.type === undefined));
const typesOf = (s: Schema): string[] => (Array.isArray(s.type) ? (s.type as string[]) : typeof s.type === 'string' ? [s.type] : []);
/** A branch that only states types (and annotations), so a union of branches is a union of types. */
const isTypeOnly = (v: unknown) =>
  isObject(v) && typeof v.type !== 'undefined' && Object.keys(v).every((k) => ['type', 'description', 'title'].includes(k));

function resolveLocal(ref: string, root: Schema): unknown {
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = root;
  for (const raw of ref.slice(2).split('/')) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    node = isObject(node) ? node[key] : undefined;
  }
  return node;
}

/** `allOf` parts merged into one schema: properties joined, required united, other keywords kept where the parent has none. */
function mergeAllOf(s: Schema, ctx: Context, notes: string[], refs: string[]): Schema {
  if (!Array.isArray(s.allOf)) return s;
  const { allOf, ...out } = s;
  for (const raw of allOf) {
    let part = raw;
    let seen = refs;
    if (isObject(part) && typeof part.$ref === 'string' && !part.$ref.startsWith('#/components/')) {
      const ref = part.$ref;
      if (refs.includes(ref)) {
        notes.push(FURTHER_RULES);
        continue;
      }
      const target = resolveLocal(ref, ctx.root);
      if (!isObject(target)) {
        notes.push(FURTHER_RULES);
        continue;
      }
      const { $ref: _ref, ...siblings } = part;
      part = { ...target, ...siblings };
      seen = [...refs, ref];
    }
    if (!isObject(part)) continue;
    const flat = mergeAllOf(part, ctx, notes, seen);
    for (const [key, value] of Object.entries(flat)) {
      if (key === 'properties' && isObject(value)) out.properties = { ...(isObject(out.properties) ? out.properties : {}), ...value };
      else if (key === 'required' && Array.isArray(value))
        out.required = [...new Set([...((out.required as string[] | undefined) ?? []), ...value])];
      // "Give one of these fields" is said by compositionSentences, which reads allOf itself.
      else if ((key === 'anyOf' || key === 'oneOf') && requiredAlternatives(value)) continue;
      else if (!(key in out)) out[key] = value;
      else if (key === 'anyOf' || key === 'oneOf' || key === '$ref') notes.push(FURTHER_RULES);
    }
  }
  return out;
}

/** anyOf/oneOf folded into the schema where 3.0 can say it (a nullable schema, a union of types); else a note. */
function foldAlternatives(s: Schema, notes: string[]): Schema {
  let out = s;
  for (const key of ['anyOf', 'oneOf'] as const) {
    const branches = out[key];
    if (!Array.isArray(branches)) continue;
    const { [key]: _dropped, ...rest } = out;
    out = rest;
    if (requiredAlternatives(branches)) continue;
    const others = branches.filter((b) => !isNullSchema(b));
    const withNull = others.length < branches.length;
    if (others.length === 1 && isObject(others[0])) {
      // The parent's own keywords (its description, say) win over the branch's.
      out = { ...others[0], ...out };
    } else if (others.length > 1 && others.every(isTypeOnly) && out.type === undefined) {
      out = { ...out, type: [...new Set(others.flatMap((b) => typesOf(b as Schema)))] };
    } else if (others.length > 0) {
      notes.push(FURTHER_RULES);
    }
    if (withNull) out = typesOf(out).length > 0 ? { ...out, type: [...new Set([...typesOf(out), 'null'])] } : { ...out, nullable: true };
  }
  return out;
}

/** Local `$ref`s inlined, allOf merged and anyOf/oneOf folded until none is left. */
function normalise(input: Schema, ctx: Context, notes: string[], sentences: string[]): { schema: Schema; refs: string[] } {
  let s = input;
  let refs = ctx.refs;
  for (;;) {
    sentences.push(...compositionSentences(s));
    if (typeof s.$ref === 'string' && !s.$ref.startsWith('#/components/')) {
      const { $ref, ...siblings } = s;
      const target = resolveLocal($ref as string, ctx.root);
      if (!isObject(target) || refs.includes($ref as string)) {
        notes.push(FURTHER_RULES);
        return { schema: siblings, refs };
      }
      refs = [...refs, $ref as string];
      s = { ...target, ...siblings };
    } else if (Array.isArray(s.allOf)) {
      s = mergeAllOf(s, ctx, notes, refs);
    } else if (Array.isArray(s.anyOf) || Array.isArray(s.oneOf)) {
      s = foldAlternatives(s, notes);
    } else {
      return { schema: s, refs };
    }
  }
}

function convert(input: unknown, outer: Context): Schema {
  // `false` (nothing is valid) has no 3.0 form ServiceNow reads; `not: {}` would be one it may not.
  if (input === false) return { description: 'Not allowed: leave it out.' };
  if (!isObject(input)) return {};
  const notes: string[] = [];
  const sentences: string[] = [];
  const { schema: s, refs } = normalise(input, outer, notes, sentences);
  if (typeof s.$ref === 'string') return { $ref: s.$ref };
  const ctx = { ...outer, refs };
  const out: Schema = {};
  for (const key of COPIED) if (key in s) out[key] = s[key];
  if (out.example === undefined && Array.isArray(s.examples) && s.examples.length > 0) out.example = s.examples[0];
  if (out.enum === undefined && 'const' in s) out.enum = [s.const];

  const types = typesOf(s);
  const nonNull = types.filter((t) => t !== 'null');
  const nullable = types.includes('null') || out.nullable === true || (Array.isArray(out.enum) && out.enum.includes(null));
  if (nonNull.length === 1) out.type = nonNull[0];
  if (nonNull.length > 1) {
    const single = singleType(nonNull, out.enum);
    out.type = single.type;
    if (single.enum) out.enum = single.enum;
    if (single.note) notes.unshift(single.note);
    pruneForType(out);
  }
  if (nullable) {
    out.nullable = true;
    // OpenAPI 3.0.3: `nullable` does not widen `enum`, so null must be listed to be valid.
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
  } else {
    delete out.nullable;
  }

  for (const [bound, flag] of [
    ['exclusiveMinimum', 'minimum'],
    ['exclusiveMaximum', 'maximum'],
  ] as const) {
    const value = s[bound];
    if (typeof value === 'boolean' && value && typeof out[flag] === 'number') out[bound] = true;
    if (typeof value !== 'number') continue;
    const current = out[flag];
    const stricter = typeof current !== 'number' || (flag === 'minimum' ? value >= current : value <= current);
    if (stricter) {
      out[flag] = value;
      out[bound] = true;
    }
  }

  if (isObject(s.properties)) out.properties = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, convert(v, ctx)]));
  if (isObject(s.additionalProperties)) out.additionalProperties = convert(s.additionalProperties, ctx);
  else if (typeof s.additionalProperties === 'boolean') out.additionalProperties = s.additionalProperties;
  if (isObject(s.items)) out.items = convert(s.items, ctx);
  else if (Array.isArray(s.items)) notes.push(FURTHER_RULES);
  if (out.type === 'array' && out.items === undefined) out.items = {};
  if (Array.isArray(s.required) && s.required.length > 0) out.required = [...new Set(s.required as string[])];

  if (isObject(s.dependentRequired)) {
    for (const [field, needs] of Object.entries(s.dependentRequired))
      if (Array.isArray(needs) && needs.length > 0) notes.push(`With ${field}, also give ${needs.join(', ')}.`);
  }
  if (UNSAYABLE.some((k) => k in s) || (isObject(s.dependencies) && Object.keys(s.dependencies).length > 0)) notes.push(FURTHER_RULES);
  for (const [k, v] of Object.entries(s)) if (k.startsWith('x-')) out[k] = v;

  if (notes.length + sentences.length > 0) out.description = joinSentences([out.description, ...notes, ...sentences]);
  // What a reader looks for first, first.
  const { title, description, type, nullable: isNullable, ...rest } = out;
  return Object.fromEntries(Object.entries({ title, description, type, nullable: isNullable, ...rest }).filter(([, v]) => v !== undefined));
}

/**
 * A JSON Schema (draft 2020-12 or draft-07 as used here) as an OpenAPI 3.0.3 Schema Object with
 * nothing ServiceNow rejects: no anyOf/oneOf/allOf/discriminator, one type per schema, `nullable`
 * for null, `enum` for `const`, `example` for `examples`, boolean `exclusiveMinimum`/`exclusiveMaximum`.
 */
export function toOpenApi30Schema(schema: unknown): Schema {
  return convert(schema, { root: isObject(schema) ? schema : {}, refs: [] });
}

type Doc = Record<string, unknown>;

/** Each schema of a document (components, parameters, bodies, responses, headers) converted, and `openapi: 3.0.3`. */
export function toOpenApi30Document(doc: Doc): Doc {
  const out = structuredClone(doc);
  out.openapi = '3.0.3';
  const withSchema = (holder: unknown) => {
    if (isObject(holder) && 'schema' in holder) holder.schema = toOpenApi30Schema(holder.schema);
  };
  const content = (holder: unknown) => {
    if (isObject(holder) && isObject(holder.content)) Object.values(holder.content).forEach(withSchema);
    if (isObject(holder) && isObject(holder.headers)) Object.values(holder.headers).forEach(withSchema);
  };
  const components = isObject(out.components) ? out.components : {};
  if (isObject(components.schemas))
    components.schemas = Object.fromEntries(Object.entries(components.schemas).map(([k, v]) => [k, toOpenApi30Schema(v)]));
  for (const item of Object.values(isObject(out.paths) ? out.paths : {})) {
    if (!isObject(item)) continue;
    if (Array.isArray(item.parameters)) item.parameters.forEach(withSchema);
    for (const method of OPERATIONS) {
      const op = item[method];
      if (!isObject(op)) continue;
      if (Array.isArray(op.parameters)) op.parameters.forEach(withSchema);
      content(op.requestBody);
      if (isObject(op.responses)) Object.values(op.responses).forEach(content);
    }
  }
  return out;
}
