import fc from 'fast-check';

/**
 * Hostile values for the fuzz run (test/integration/hostile-input.test.ts): what a careless or
 * malicious caller can put in a string, a path segment or a body.
 */

/** Encoded-query operators that would widen a ServiceNow query if a value reached it unescaped. */
export const QUERY_INJECTIONS = [
  '^ORactive=false',
  '^NQactive=true',
  '^NQsys_idISNOTEMPTY',
  'x^ORDERBYnumber',
  '^ORDERBYDESCsys_created_on',
  'correlation_idISNOTEMPTY',
  '^correlation_idISNOTEMPTY',
  '^EQ',
  '^^ORactive=true',
  '^',
  'a^ORb^NQc',
  'active=true^ORactive=false',
  'numberISNOTEMPTY^ORnumberISEMPTY',
] as const;

/** Path traversal in names and ids, raw and percent-encoded. */
export const TRAVERSALS = [
  '..',
  '.',
  '../..',
  '../../metrics',
  '..%2F..%2Fmetrics',
  '%2e%2e',
  '%2E%2E%2F',
  '%2F',
  '/',
  '%2fv1%2fcredentials',
  '..;',
  '%00',
  '%252e%252e',
] as const;

/** Percent-escapes a URL parser cannot decode. */
export const BAD_ESCAPES = ['%', '%zz', '%ff', '%c3%28', '%ed%a0%80', '%e2%82', '%G0'] as const;

/** Strings that break naive code: NUL, lone surrogates, CR/LF, prototype names, control and bidi characters. */
export const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff',
  'x\ud83dy',
  '\r\nX-Injected: 1',
  'line\nbreak',
  '\r',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '\u202eevil',
  '\ufeff',
  '${7*7}',
  '{{placeholder}}',
  '$exists(x)',
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  'INC0010001',
  'trunkgate:trunk:x',
] as const;

/** Characters of 1, 2, 3 and 4 bytes in UTF-8. */
export const UTF8_UNITS = ['a', 'é', '€', '😀'] as const;

/** A string of about `chars` characters of one width (the limit tests count characters, the body limit bytes). */
export function repeatTo(unit: string, chars: number): string {
  return unit.repeat(Math.max(0, chars));
}

/** Strings at and around a length limit, in characters of each UTF-8 width. */
export function aroundLength(limit: number): fc.Arbitrary<string> {
  return fc.tuple(fc.constantFrom(...UTF8_UNITS), fc.integer({ min: -1, max: 1 })).map(([unit, delta]) => repeatTo(unit, limit + delta));
}

/** Any string: unicode of every plane (lone surrogates included), mixed with the nasty and injected ones. */
export function hostileString(): fc.Arbitrary<string> {
  const pieces = fc.oneof(
    fc.constantFrom(...NASTY_STRINGS),
    fc.constantFrom(...QUERY_INJECTIONS),
    fc.constantFrom(...TRAVERSALS),
    fc.string({ unit: 'binary', maxLength: 12 }),
    fc.string({ maxLength: 12 }),
  );
  return fc.oneof(
    { weight: 3, arbitrary: fc.array(pieces, { minLength: 1, maxLength: 4 }).map((p) => p.join('')) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...UTF8_UNITS), fc.integer({ min: 0, max: 5000 })).map(([u, n]) => repeatTo(u, n)) },
  );
}

/** A value of the wrong JSON type for anything. */
export function wrongType(): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.integer(),
    fc.double({ noNaN: true }),
    fc.constantFrom(0, -1, 1e308, -0, 2 ** 53 + 1),
    fc.boolean(),
    fc.constant(null),
    fc.constant([]),
    fc.constant({}),
    fc.array(fc.string({ maxLength: 3 }), { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 4 }), fc.string({ maxLength: 4 }), { maxKeys: 3 }),
  );
}

/** An array or object nested `depth` levels deep (the body limit is 50). */
export function nested(depth: number, kind: 'array' | 'object', leaf: unknown = 'x'): unknown {
  let v: unknown = leaf;
  for (let i = 0; i < depth; i += 1) v = kind === 'array' ? [v] : { a: v };
  return v;
}

export function deepValue(): fc.Arbitrary<unknown> {
  return fc.tuple(fc.integer({ min: 45, max: 80 }), fc.constantFrom('array' as const, 'object' as const)).map(([d, k]) => nested(d, k));
}

/** Sets a key as an own, enumerable property, so JSON.stringify writes it even when it is `__proto__`. */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  Object.defineProperty(target, key, { value, enumerable: true, configurable: true, writable: true });
  return target;
}

/** Extra members a body must refuse: unknown names, prototype keys (`__proto__`, `constructor.prototype`). */
export function extraMembers(): fc.Arbitrary<Array<[string, unknown]>> {
  const member = fc.oneof(
    fc.constant<[string, unknown]>(['__proto__', { polluted: true }]),
    fc.constant<[string, unknown]>(['constructor', { prototype: { polluted: true } }]),
    fc.constant<[string, unknown]>(['prototype', { polluted: true }]),
    fc.tuple(fc.constantFrom('sys_id', 'correlation_id', 'x', 'a\u0000b', '\ud800', '', 'sysparm_query'), fc.string({ maxLength: 8 })),
    fc.tuple(fc.string({ maxLength: 8 }), fc.oneof(fc.string({ maxLength: 8 }), fc.integer())),
  );
  return fc.array(member, { minLength: 1, maxLength: 3 });
}

/**
 * A JSON object text of exactly `bytes` bytes in UTF-8: `{"<field>":"<filler>"}` with the filler made of
 * `unit` characters and padded with ASCII, so the body limit is probed at the byte.
 */
export function bodyOfBytes(field: string, bytes: number, unit: string): string {
  const frame = Buffer.byteLength(JSON.stringify({ [field]: '' }));
  const room = Math.max(0, bytes - frame);
  const width = Buffer.byteLength(unit);
  const filler = repeatTo(unit, Math.floor(room / width)) + 'a'.repeat(room % width);
  return JSON.stringify({ [field]: filler });
}

/** Raw body bytes that are not valid JSON or not valid UTF-8. */
export const BROKEN_BODIES: readonly Buffer[] = [
  Buffer.from('{'),
  Buffer.from('{"a":}'),
  Buffer.from('{"a":1,}'),
  Buffer.from('null'),
  Buffer.from('"just a string"'),
  Buffer.from('[]'),
  Buffer.from('123'),
  Buffer.from('{"a":1}{"b":2}'),
  Buffer.from('{"a":"\\ud800"}'),
  Buffer.from('{"a":"\\u0000"}'),
  Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
  Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d]),
  Buffer.from('{"__proto__":{"admin":true},"short_description":"x"}'),
  Buffer.from('{"constructor":{"prototype":{"admin":true}},"short_description":"x"}'),
  Buffer.from('{"a":1e999999}'),
  Buffer.from(' \n\t'),
  Buffer.alloc(0),
];
