/**
 * A simpler copy of a mapping's JSON Schema for tools that only read the common subset: ServiceNow's
 * spoke generator ignores oneOf/anyOf (its docs list them as unsupported) and Genesys Data Action
 * contracts take one type per field. So composition keywords become sentences in `description`,
 * and a union type becomes one type (string when strings are accepted: what Genesys flows and
 * ServiceNow send). trunkgate itself always validates against the exact schema. The OpenAPI 3.0
 * converter (src/http/openapi-schema.ts) shares these rules through the helpers exported here.
 */
type Schema = Record<string, unknown>;

const KEPT = [
  'title',
  'description',
  'type',
  'enum',
  'const',
  'format',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'default',
  'required',
  'additionalProperties',
  'minItems',
  'maxItems',
];
const NUMERIC_ONLY = ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf'];
const STRING_ONLY = ['pattern', 'minLength', 'maxLength', 'format'];

/** `[{required: [a]}, {required: [b]}]` → `[a, b]`; undefined when the branches say anything else. */
export function requiredAlternatives(branches: unknown): string[] | undefined {
  if (!Array.isArray(branches) || branches.length === 0) return undefined;
  const names: string[] = [];
  for (const b of branches) {
    if (typeof b !== 'object' || b === null) return undefined;
    const keys = Object.keys(b as Schema);
    const req = (b as Schema).required;
    if (keys.length !== 1 || !Array.isArray(req) || req.length !== 1) return undefined;
    names.push(String(req[0]));
  }
  return names;
}

/** "Give at least one of: a, b." for each anyOf/oneOf (also inside allOf) that only names required fields. */
export function compositionSentences(schema: Schema): string[] {
  const out: string[] = [];
  for (const key of ['anyOf', 'oneOf'] as const) {
    const names = requiredAlternatives(schema[key]);
    if (names) out.push(`Give ${key === 'oneOf' ? 'exactly' : 'at least'} one of: ${names.join(', ')}.`);
  }
  if (Array.isArray(schema.allOf))
    for (const part of schema.allOf) if (typeof part === 'object' && part !== null) out.push(...compositionSentences(part as Schema));
  return out;
}

/** Joins description parts into sentences, skipping empty ones. */
export function joinSentences(parts: unknown[]): string {
  return [...new Set(parts.filter((p): p is string => typeof p === 'string' && p.trim() !== '').map((p) => p.trim()))]
    .map((p) => (/[.!?]$/.test(p) ? p : `${p}.`))
    .join(' ');
}

/**
 * One type for a union of types (null left aside): string when strings are accepted, else the first.
 * `enum` keeps only values of that type's kind (numbers as strings when string is chosen); `note`
 * names the other types accepted.
 */
export function singleType(types: string[], values?: unknown): { type: string; enum?: unknown[]; note?: string } {
  const chosen = types.includes('string') ? 'string' : (types[0] ?? 'string');
  const others = types.filter((t) => t !== chosen);
  const result: { type: string; enum?: unknown[]; note?: string } = { type: chosen };
  if (others.length > 0) result.note = `Also accepted as ${others.join(' or ')}.`;
  if (Array.isArray(values)) result.enum = [...new Set(values.filter((v) => v !== null).map((v) => (chosen === 'string' ? String(v) : v)))];
  return result;
}

/** Drops the keywords that only apply to another type than the schema's one (e.g. `minimum` on a string). */
export function pruneForType(schema: Schema): void {
  if (schema.type === 'string') for (const k of NUMERIC_ONLY) delete schema[k];
  if (schema.type === 'integer' || schema.type === 'number') for (const k of STRING_ONLY) delete schema[k];
}

export function portableSchema(schema: Schema): Schema {
  const out: Schema = {};
  for (const key of KEPT) if (key in schema) out[key] = schema[key];
  if (Array.isArray(schema.type)) {
    const all = schema.type as string[];
    const types = all.filter((t) => t !== 'null');
    const single = singleType(types, out.enum);
    out.type = single.type;
    if (single.enum) out.enum = single.enum;
    const notes = [single.note ?? '', types.length < all.length ? 'May be null.' : ''].filter(Boolean);
    if (notes.length > 0) out.description = joinSentences([schema.description, ...notes]);
  }
  pruneForType(out);
  const extra = compositionSentences(schema);
  if (extra.length > 0) out.description = joinSentences([out.description, ...extra]);
  if (typeof out.additionalProperties === 'object') delete out.additionalProperties;
  if (schema.properties && typeof schema.properties === 'object') {
    out.properties = Object.fromEntries(
      Object.entries(schema.properties as Record<string, Schema>).map(([k, v]) => [k, portableSchema(v)]),
    );
  }
  if (schema.items && typeof schema.items === 'object' && !Array.isArray(schema.items)) out.items = portableSchema(schema.items as Schema);
  return out;
}
