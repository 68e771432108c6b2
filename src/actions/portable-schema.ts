/**
 * A simpler copy of a mapping's JSON Schema for tools that only read the common subset: ServiceNow's
 * spoke generator ignores oneOf/anyOf (its docs list them as unsupported) and Genesys Data Action
 * contracts take one type per field. So composition keywords become sentences in `description`,
 * and a union type becomes one type (string when strings are accepted: what Genesys flows and
 * ServiceNow send). trunkgate itself always validates against the exact schema.
 */
type Schema = Record<string, unknown>;

const KEPT = ['title', 'description', 'type', 'enum', 'const', 'format', 'pattern', 'minLength', 'maxLength', 'minimum', 'maximum', 'default', 'required', 'additionalProperties', 'minItems', 'maxItems'];
const NUMERIC_ONLY = ['minimum', 'maximum'];
const STRING_ONLY = ['pattern', 'minLength', 'maxLength', 'format'];

function requiredAlternatives(branches: unknown): string[] | undefined {
  if (!Array.isArray(branches)) return undefined;
  const names: string[] = [];
  for (const b of branches) {
    const keys = Object.keys((b as Schema) ?? {});
    const req = (b as Schema).required;
    if (keys.length !== 1 || !Array.isArray(req) || req.length !== 1) return undefined;
    names.push(String(req[0]));
  }
  return names;
}

function sentences(schema: Schema): string[] {
  const out: string[] = [];
  for (const key of ['anyOf', 'oneOf'] as const) {
    const names = requiredAlternatives(schema[key]);
    if (names) out.push(`Give ${key === 'oneOf' ? 'exactly' : 'at least'} one of: ${names.join(', ')}.`);
  }
  if (Array.isArray(schema.allOf)) for (const part of schema.allOf) out.push(...sentences(part as Schema));
  return out;
}

function joinSentences(parts: unknown[]): string {
  return parts
    .filter((p): p is string => typeof p === 'string' && p.trim() !== '')
    .map((p) => (/[.!?]$/.test(p.trim()) ? p.trim() : `${p.trim()}.`))
    .join(' ');
}

export function portableSchema(schema: Schema): Schema {
  const out: Schema = {};
  for (const key of KEPT) if (key in schema) out[key] = schema[key];
  if (Array.isArray(schema.type)) {
    const types = (schema.type as string[]).filter((t) => t !== 'null');
    const chosen = types.includes('string') ? 'string' : (types[0] ?? 'string');
    out.type = chosen;
    const notes = [types.length > 1 ? `Also accepted as ${types.filter((t) => t !== chosen).join(' or ')}.` : '', types.length < (schema.type as string[]).length ? 'May be null.' : ''].filter(Boolean);
    if (notes.length > 0) out.description = joinSentences([schema.description, ...notes]);
    if (Array.isArray(out.enum)) out.enum = [...new Set((out.enum as unknown[]).filter((v) => v !== null).map((v) => (chosen === 'string' ? String(v) : v)))];
  }
  if (out.type === 'string') for (const k of NUMERIC_ONLY) delete out[k];
  if (out.type === 'integer' || out.type === 'number') for (const k of STRING_ONLY) delete out[k];
  const extra = sentences(schema);
  if (extra.length > 0) out.description = joinSentences([out.description, ...extra]);
  if (typeof out.additionalProperties === 'object') delete out.additionalProperties;
  if (schema.properties && typeof schema.properties === 'object') {
    out.properties = Object.fromEntries(Object.entries(schema.properties as Record<string, Schema>).map(([k, v]) => [k, portableSchema(v)]));
  }
  if (schema.items && typeof schema.items === 'object' && !Array.isArray(schema.items)) out.items = portableSchema(schema.items as Schema);
  return out;
}
