import fc from 'fast-check';
import { aroundLength, deepValue, extraMembers, hostileString, setOwn, wrongType } from './hostile-values.js';

/**
 * fast-check arbitraries from the JSON Schemas of trunkgate's OpenAPI document (`/openapi-3.1.json`):
 * values that fit a schema, and hostile mutations of them (wrong types, missing and extra members,
 * strings at and over their limits, injected operators, deep nesting, prototype keys).
 */

export type Schema = Record<string, any>;

/** Known good values by property name (existing sys_ids, numbers, trunk ids, Genesys trunk bodies), so requests get past lookups. */
export type Hints = Record<string, readonly unknown[]>;

const FALLBACK_STRING = fc.string({ minLength: 1, maxLength: 20 });

function typesOf(schema: Schema): string[] {
  if (Array.isArray(schema.type)) return schema.type as string[];
  if (typeof schema.type === 'string') return [schema.type];
  if (schema.properties) return ['object'];
  return [];
}

/** Cuts a string to at most `max` code points (how the validator counts length). */
function clip(s: string, max: number | undefined): string {
  if (max === undefined) return s;
  return [...s].slice(0, max).join('');
}

function validString(schema: Schema): fc.Arbitrary<string> {
  if (schema.format === 'uuid') return fc.uuid();
  if (schema.format === 'date-time')
    return fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString());
  const min = (schema.minLength as number | undefined) ?? 0;
  const max = (schema.maxLength as number | undefined) ?? Math.max(min, 40);
  if (typeof schema.pattern === 'string') {
    return fc.stringMatching(new RegExp(schema.pattern as string)).filter((s) => [...s].length >= min && [...s].length <= max);
  }
  return fc.string({ minLength: min, maxLength: Math.min(max, Math.max(min, 40)) });
}

/** A value that fits `schema`, as far as a generator can tell (object-level anyOf/allOf rules are left to chance). */
export function validValue(schema: Schema, hints: Hints = {}, name?: string): fc.Arbitrary<unknown> {
  const hinted = name !== undefined ? hints[name] : undefined;
  const plain = validByType(schema, hints);
  return hinted && hinted.length > 0
    ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom<unknown>(...hinted) }, { weight: 1, arbitrary: plain })
    : plain;
}

function validByType(schema: Schema, hints: Hints): fc.Arbitrary<unknown> {
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  if ('const' in schema) return fc.constant(schema.const);
  const alternatives = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (alternatives && !schema.properties && !schema.type) return fc.oneof(...alternatives.map((a) => validValue(a, hints)));
  const arbs = typesOf(schema).map((type): fc.Arbitrary<unknown> => {
    switch (type) {
      case 'string':
        return validString(schema);
      case 'integer':
        return fc.integer({ min: (schema.minimum as number | undefined) ?? -1000, max: (schema.maximum as number | undefined) ?? 100_000 });
      case 'number':
        return fc.double({
          min: (schema.minimum as number | undefined) ?? -1e6,
          max: (schema.maximum as number | undefined) ?? 1e6,
          noNaN: true,
        });
      case 'boolean':
        return fc.boolean();
      case 'null':
        return fc.constant(null);
      case 'array':
        return fc.array(schema.items ? validValue(schema.items as Schema, hints) : FALLBACK_STRING, { maxLength: 3 });
      case 'object':
        return validObject(schema, hints);
      default:
        return FALLBACK_STRING;
    }
  });
  return arbs.length === 0 ? fc.oneof(FALLBACK_STRING, fc.integer(), fc.boolean()) : fc.oneof(...arbs);
}

/** Field names an object schema names in anyOf/oneOf/allOf `required` rules (e.g. sys_id or number). */
function alternativeRequired(schema: Schema): string[] {
  const rules = [
    ...((schema.anyOf ?? []) as Schema[]),
    ...((schema.oneOf ?? []) as Schema[]),
    ...((schema.allOf ?? []) as Schema[]).flatMap((s) => [...((s.anyOf ?? []) as Schema[]), ...((s.oneOf ?? []) as Schema[])]),
  ];
  return [...new Set(rules.flatMap((r) => (Array.isArray(r.required) ? (r.required as string[]) : [])))];
}

function validObject(schema: Schema, hints: Hints): fc.Arbitrary<Record<string, unknown>> {
  const props = (schema.properties ?? {}) as Record<string, Schema>;
  if (Object.keys(props).length === 0)
    return fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(FALLBACK_STRING, fc.integer(), fc.boolean()), { maxKeys: 4 });
  const required = new Set([...((schema.required ?? []) as string[])]);
  const record: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [k, s] of Object.entries(props)) record[k] = validValue(s, hints, k);
  // Members an anyOf rule asks for are present more often, so more requests get past validation.
  const wanted = new Set(alternativeRequired(schema));
  const members = Object.entries(record).map(([k, arb]) =>
    fc.tuple(
      fc.constant(k),
      arb,
      fc.integer({ min: 0, max: 99 }).map((n) => required.has(k) || n < (wanted.has(k) ? 80 : 50)),
    ),
  );
  return fc.tuple(...members).map((chosen) => Object.fromEntries(chosen.filter(([, , keep]) => keep).map(([k, v]) => [k, v])));
}

/** A hostile replacement for one member's value, given its schema. */
export function hostileMemberValue(schema: Schema, hints: Hints = {}, name?: string): fc.Arbitrary<unknown> {
  const types = typesOf(schema);
  const max = schema.maxLength as number | undefined;
  const min = (schema.minLength as number | undefined) ?? 0;
  const options: Array<fc.WeightedArbitrary<unknown>> = [
    { weight: 8, arbitrary: validValue(schema, hints, name) },
    { weight: 2, arbitrary: wrongType() },
    { weight: 1, arbitrary: deepValue() },
    { weight: 2, arbitrary: hostileString() },
  ];
  if (types.includes('string')) {
    // Injected operators and nasty characters inside the length the schema allows: these pass validation and go upstream.
    options.push({
      weight: 6,
      arbitrary: hostileString()
        .map((s) => clip(s, max))
        .filter((s) => [...s].length >= min),
    });
    if (max !== undefined) options.push({ weight: 2, arbitrary: aroundLength(max) });
  }
  if (types.includes('object') && schema.properties) options.push({ weight: 4, arbitrary: hostileObject(schema, hints, 1) });
  return fc.oneof(...options);
}

/** A value the schema accepts, with hostile text wherever it accepts free text (what gets past validation to the upstream). */
export function smuggledValue(schema: Schema, hints: Hints = {}, name?: string): fc.Arbitrary<unknown> {
  if (!typesOf(schema).includes('string') || schema.pattern || schema.format || schema.enum) return validValue(schema, hints, name);
  const max = schema.maxLength as number | undefined;
  const min = (schema.minLength as number | undefined) ?? 0;
  return fc.oneof(
    validValue(schema, hints, name),
    hostileString()
      .map((v) => clip(v, max))
      .filter((v) => [...v].length >= min),
  );
}

/** `oneOf: [{required: [a]}, {required: [b]}]`: the member lists of which exactly one must be given. */
function exclusiveRequired(schema: Schema): string[][] | null {
  const branches = schema.oneOf as Schema[] | undefined;
  return branches?.every((b) => Object.keys(b).length === 1 && Array.isArray(b.required))
    ? branches.map((b) => b.required as string[])
    : null;
}

/** An object the schema accepts (required members always, others half of the time) carrying hostile text. */
export function smuggledObject(schema: Schema, hints: Hints = {}): fc.Arbitrary<Record<string, unknown>> {
  const props = (schema.properties ?? {}) as Record<string, Schema>;
  const required = new Set((schema.required ?? []) as string[]);
  const wanted = new Set(alternativeRequired(schema));
  const exclusive = exclusiveRequired(schema);
  const members = Object.entries(props).map(([k, s]) =>
    fc.tuple(
      fc.constant(k),
      s.properties ? smuggledObject(s, hints) : smuggledValue(s, hints, k),
      fc.integer({ min: 0, max: 99 }).map((n) => required.has(k) || n < (wanted.has(k) ? 80 : 40)),
    ),
  );
  return fc.tuple(fc.tuple(...members), fc.nat({ max: Math.max(0, (exclusive?.length ?? 1) - 1) })).map(([chosen, branch]) => {
    // With oneOf rules, exactly the chosen branch's members are given.
    const given = (k: string, keep: boolean) =>
      exclusive ? (exclusive[branch]!.includes(k) ? true : exclusive.some((b) => b.includes(k)) ? false : keep) : keep;
    return Object.fromEntries(chosen.filter(([k, , keep]) => given(k, keep)).map(([k, v]) => [k, v]));
  });
}

/**
 * An example body with every free-text member replaced by hostile text its schema still accepts: the
 * example keeps the rules a schema cannot say (which members go together), the schema the limits.
 */
export function smuggledExample(
  example: Record<string, unknown>,
  schema: Schema,
  hints: Hints = {},
): fc.Arbitrary<Record<string, unknown>> {
  const props = (schema.properties ?? {}) as Record<string, Schema>;
  const members = Object.entries(example).map(([k, v]) => {
    const s = props[k] ?? {};
    if (v && typeof v === 'object' && !Array.isArray(v) && s.properties)
      return fc.tuple(fc.constant(k), smuggledExample(v as Record<string, unknown>, s, hints));
    if (typeof v === 'string' && !s.enum && !s.pattern && !s.format) return fc.tuple(fc.constant(k), smuggledValue(s, hints, k));
    return fc.tuple(fc.constant(k), fc.constant(v));
  });
  return fc.tuple(...members).map((chosen) => Object.fromEntries(chosen));
}

/**
 * A hostile object for an object schema: each member valid, mutated or missing, sometimes with extra or
 * prototype members. `depth` bounds the recursion into nested object schemas.
 */
export function hostileObject(schema: Schema, hints: Hints = {}, depth = 0): fc.Arbitrary<Record<string, unknown>> {
  const props = (schema.properties ?? {}) as Record<string, Schema>;
  const required = new Set((schema.required ?? []) as string[]);
  const members = Object.entries(props).map(([k, s]) =>
    fc.tuple(
      fc.constant(k),
      depth > 1 ? validValue(s, hints, k) : hostileMemberValue(s, hints, k),
      // Required members are left out now and then; optional ones half of the time.
      fc.integer({ min: 0, max: 99 }).map((n) => (required.has(k) ? n < 92 : n < 55)),
    ),
  );
  const extras = fc.oneof({ weight: 5, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: extraMembers() });
  return fc.tuple(fc.tuple(...members), extras).map(([chosen, extras]) => {
    const out: Record<string, unknown> = {};
    for (const [k, v, keep] of chosen) if (keep && v !== undefined) out[k] = v;
    for (const [k, v] of extras ?? []) setOwn(out, k, v);
    return out;
  });
}
