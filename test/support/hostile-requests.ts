import fc from 'fast-check';
import http from 'node:http';
import { BAD_ESCAPES, BROKEN_BODIES, bodyOfBytes, deepValue, hostileString, TRAVERSALS, UTF8_UNITS, wrongType } from './hostile-values.js';
import { hostileObject, smuggledExample, smuggledObject, validValue, type Hints, type Schema } from './schema-arbitrary.js';

/** One operation of the OpenAPI document under `/v1`. */
export interface Operation {
  method: string;
  /** The path template, e.g. `/v1/trunks/{id}/events`. */
  template: string;
  pathParams: Array<{ name: string; schema: Schema }>;
  queryParams: Array<{ name: string; schema: Schema }>;
  body: Schema | null;
}

/** A request as it goes on the wire: raw path (not normalised), headers, body bytes. */
export interface HostileRequest {
  op: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** Sent with Transfer-Encoding: chunked in two pieces instead of with Content-Length. */
  chunked?: boolean;
}

export interface HostileResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  rawHeaders: string[];
  body: Buffer;
}

/** Every operation under `/v1` in the OpenAPI 3.1 document, with its parameters and JSON body schema. */
export function operationsFrom(doc: Schema): Operation[] {
  const ops: Operation[] = [];
  for (const [template, item] of Object.entries(doc.paths as Record<string, Schema>)) {
    if (!template.startsWith('/v1/')) continue;
    for (const [method, op] of Object.entries(item)) {
      if (typeof op !== 'object' || !op || !('responses' in op)) continue;
      const params = ((op.parameters ?? []) as Schema[]).map((p) => ({
        name: p.name as string,
        in: p.in as string,
        schema: (p.schema ?? {}) as Schema,
      }));
      ops.push({
        method: method.toUpperCase(),
        template,
        pathParams: params.filter((p) => p.in === 'path'),
        queryParams: params.filter((p) => p.in === 'query'),
        body: (op.requestBody?.content?.['application/json']?.schema as Schema | undefined) ?? null,
      });
    }
  }
  return ops;
}

/** Percent-encodes the UTF-8 bytes of a string (a lone surrogate becomes U+FFFD, as a client would send it). */
export function pctEncode(s: string): string {
  return [...new TextEncoder().encode(s)]
    .map((b) =>
      /[A-Za-z0-9\-_.~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');
}

function pathSegment(param: { name: string; schema: Schema }, hints: Hints): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 6, arbitrary: validValue(param.schema, hints, param.name).map((v) => pctEncode(String(v))) },
    { weight: 2, arbitrary: fc.constantFrom(...TRAVERSALS) },
    { weight: 1, arbitrary: fc.constantFrom(...BAD_ESCAPES) },
    { weight: 2, arbitrary: hostileString().map(pctEncode) },
  );
}

function queryPart(param: { name: string; schema: Schema }, hints: Hints): fc.Arbitrary<string | null> {
  const value = fc.oneof(
    { weight: 4, arbitrary: validValue(param.schema, hints, param.name).map((v) => pctEncode(String(v))) },
    { weight: 2, arbitrary: hostileString().map(pctEncode) },
    { weight: 1, arbitrary: fc.constantFrom(...BAD_ESCAPES, '-1', '0', '1e3', '99999999999999999999', '1.5', '') },
  );
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant(null) },
    { weight: 5, arbitrary: value.map((v) => `${param.name}=${v}`) },
    // The same parameter twice: an array to a naive reader.
    { weight: 1, arbitrary: fc.tuple(value, value).map(([a, b]) => `${param.name}=${a}&${param.name}=${b}`) },
  );
}

/** Valid credentials: a caller with every permission (key and Basic), and optionally one with few and a rate limit. */
export interface Credentials {
  apiKey: string;
  basic: { user: string; password: string };
  limitedKey?: string;
}

/** The credentials a request carries: mostly the valid ones, sometimes missing, wrong or mangled. */
export function authHeaders(creds: Credentials): fc.Arbitrary<Record<string, string>> {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const limited: Array<fc.WeightedArbitrary<Record<string, string>>> = creds.limitedKey
    ? [{ weight: 3, arbitrary: fc.constant({ authorization: `Bearer ${creds.limitedKey}` }) }]
    : [];
  return fc.oneof(
    ...limited,
    { weight: 10, arbitrary: fc.constant({ authorization: `Bearer ${creds.apiKey}` }) },
    { weight: 2, arbitrary: fc.constant({ 'x-api-key': creds.apiKey }) },
    { weight: 3, arbitrary: fc.constant({ authorization: `Basic ${b64(`${creds.basic.user}:${creds.basic.password}`)}` }) },
    {
      weight: 4,
      arbitrary: fc.constantFrom<Record<string, string>>(
        {},
        { authorization: creds.apiKey },
        { authorization: `bearer ${creds.apiKey}` },
        { authorization: `Bearer ${creds.apiKey}x` },
        { authorization: 'Bearer ' },
        { authorization: `Basic ${b64(`${creds.basic.user}:wrong-${creds.basic.password}`)}` },
        { authorization: `Basic ${creds.basic.password}` },
        { authorization: 'Basic !!!notbase64' },
        { authorization: `Digest ${creds.apiKey}` },
        { authorization: `Bearer ${'a'.repeat(5000)}` },
        { 'x-api-key': `${creds.apiKey} ` },
        { 'x-api-key': '' },
        { authorization: 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.' },
      ),
    },
  );
}

const CONTENT_TYPES = [
  'application/json; charset=utf-8',
  'application/json;charset=latin1',
  'application/json; charset=utf-16',
  'application/json; charset=nope',
  'text/plain',
  'application/x-www-form-urlencoded',
  'APPLICATION/JSON',
  'application/jsonx',
];

function contentType(): fc.Arbitrary<Record<string, string>> {
  const type = fc.oneof(
    { weight: 12, arbitrary: fc.constant({ 'content-type': 'application/json' }) },
    { weight: 1, arbitrary: fc.constant({}) },
    { weight: 3, arbitrary: fc.constantFrom(...CONTENT_TYPES).map((t) => ({ 'content-type': t })) },
  );
  const coding = fc.oneof(
    { weight: 15, arbitrary: fc.constant({}) },
    { weight: 1, arbitrary: fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'x-nope').map((c) => ({ 'content-encoding': c })) },
  );
  // Expect: Node answers any expectation but 100-continue itself unless the server listens for it.
  const expect = fc.oneof(
    { weight: 20, arbitrary: fc.constant({}) },
    { weight: 1, arbitrary: fc.constantFrom('nonsense', '100-continue, x', '200-ok', '').map((e) => ({ expect: e })) },
  );
  return fc.tuple(type, coding, expect).map(([t, c, e]) => ({ ...t, ...c, ...e }));
}

/** Query members a naive parser turns into objects or prototype writes. */
const QUERY_OBJECTS = [
  'limit[a]=1',
  'state[]=open',
  'trunkId[__proto__][x]=1',
  '__proto__[polluted]=1',
  'constructor[prototype][x]=1',
  'x=%',
  '&&&',
  '==',
];

/** Methods the document does not list for a path: each must still answer in the contract. */
const OTHER_METHODS = ['PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'TRACE'];

/** A body for a schema: mostly a hostile object, sometimes the wrong thing altogether. */
function body(schema: Schema, hints: Hints, limitBytes: number, examples: readonly Record<string, unknown>[]): fc.Arbitrary<Buffer> {
  const field = Object.keys((schema.properties ?? {}) as Record<string, unknown>)[0] ?? 'x';
  const fromExamples: Array<fc.WeightedArbitrary<Buffer>> =
    examples.length > 0
      ? [
          {
            weight: 10,
            arbitrary: fc
              .constantFrom(...examples)
              .chain((e) => smuggledExample(e, schema, hints))
              .map((o) => Buffer.from(JSON.stringify(o))),
          },
        ]
      : [];
  return fc.oneof(
    ...fromExamples,
    { weight: 8, arbitrary: hostileObject(schema, hints).map((o) => Buffer.from(JSON.stringify(o))) },
    { weight: 8, arbitrary: smuggledObject(schema, hints).map((o) => Buffer.from(JSON.stringify(o))) },
    { weight: 1, arbitrary: fc.oneof(wrongType(), deepValue(), hostileString()).map((v) => Buffer.from(JSON.stringify(v) ?? 'null')) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.integer({ min: -2, max: 2 }), fc.constantFrom(...UTF8_UNITS))
        .map(([d, u]) => Buffer.from(bodyOfBytes(field, limitBytes + d, u))),
    },
    { weight: 1, arbitrary: fc.constantFrom(...BROKEN_BODIES) },
  );
}

/** Requests against every operation, built from its parameters and body schema. */
export function requestArbitrary(
  ops: Operation[],
  options: { hints: Hints; creds: Credentials; limitBytes: number; examples?: Record<string, readonly Record<string, unknown>[]> },
): fc.Arbitrary<HostileRequest> {
  const perOp = ops.map((op) => {
    const segments = op.pathParams.map((p) => pathSegment(p, options.hints));
    const queries = op.queryParams.map((p) => queryPart(p, options.hints));
    const examples = options.examples?.[`${op.method} ${op.template}`] ?? [];
    // fc.option gives null once in `freq`: a body nearly always where one belongs, rarely elsewhere.
    const payload = op.body
      ? fc.option(body(op.body, options.hints, options.limitBytes, examples), { freq: 20 })
      : fc.oneof({ weight: 12, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom(...BROKEN_BODIES.slice(0, 3)) });
    const requestId = fc.oneof(
      { weight: 8, arbitrary: fc.constant(null) },
      { weight: 1, arbitrary: fc.constantFrom('../../etc', 'a^ORb', 'x'.repeat(300), 'ok-id-1', '%0d%0a', '\tid') },
    );
    return fc
      .record({
        segments: fc.tuple(...segments),
        queries: fc.tuple(...queries),
        payload,
        auth: authHeaders(options.creds),
        type: contentType(),
        requestId,
        chunked: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
        method: fc.oneof({ weight: 24, arbitrary: fc.constant(op.method) }, { weight: 1, arbitrary: fc.constantFrom(...OTHER_METHODS) }),
        extraQuery: fc.oneof({ weight: 15, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom(...QUERY_OBJECTS) }),
      })
      .map(({ segments: segs, queries: qs, payload: b, auth, type, requestId: rid, chunked, method, extraQuery }): HostileRequest => {
        let i = 0;
        const path = op.template.replace(/\{[^}]+\}/g, () => segs[i++] ?? '');
        const query = [...qs, extraQuery].filter((q): q is string => q !== null).join('&');
        const headers: Record<string, string> = { ...auth, ...(b ? type : {}), ...(rid ? { 'x-request-id': rid } : {}) };
        // An empty segment routes elsewhere (`/v1/trunks/` is `/v1/trunks`): such a request is not this operation's.
        const label =
          method !== op.method
            ? `${method} ${op.template} (not documented)`
            : segs.some((seg) => seg === '')
              ? `${method} ${op.template} (empty segment)`
              : `${method} ${op.template}`;
        return { op: label, method, path: query ? `${path}?${query}` : path, headers, ...(b ? { body: b, chunked } : {}) };
      });
  });
  return fc.oneof(...perOp);
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

/** Sends a request exactly as built (node:http does not normalise `..` in a path given as a string). */
export function send(base: string, req: HostileRequest, timeoutMs = 20_000): Promise<HostileResponse> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...req.headers };
    // Framed explicitly: node:http sends a GET's body without Content-Length, which is no valid request.
    if (req.body) headers[req.chunked ? 'transfer-encoding' : 'content-length'] = req.chunked ? 'chunked' : String(req.body.length);
    const r = http.request({ host: hostname, port: Number(port), method: req.method, path: req.path, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks) }),
      );
      res.on('error', reject);
    });
    r.setTimeout(timeoutMs, () => r.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    r.on('error', reject);
    if (!req.body) return void r.end();
    if (!req.chunked) return void r.end(req.body);
    const half = Math.floor(req.body.length / 2);
    r.write(req.body.subarray(0, half));
    r.end(req.body.subarray(half));
  });
}

/** A one-line description of a request for failure messages (bodies cut to 300 bytes). */
export function describeRequest(req: HostileRequest): string {
  const body = req.body
    ? ` body(${req.body.length} B${req.chunked ? ', chunked' : ''})=${JSON.stringify(req.body.subarray(0, 300).toString('utf8'))}`
    : '';
  return `${req.method} ${req.path} headers=${JSON.stringify(req.headers)}${body}`;
}
