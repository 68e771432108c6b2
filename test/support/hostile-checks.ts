import type { IncomingHttpHeaders } from 'node:http';
import type { ValidateFunction } from 'ajv';
import { ERROR_STATUS } from '../../src/errors/app-error.js';
import { createSchemaEngine } from '../../src/validation/schema-engine.js';
import type { HostileRequest, HostileResponse, Operation } from './hostile-requests.js';
import type { Schema } from './schema-arbitrary.js';

/**
 * What must hold for every answer and every upstream request of the fuzz run: no 5xx, the error
 * contract, no secret in an answer, no caller-made condition in a ServiceNow query, no CR/LF in an
 * upstream header, no traversal in an upstream path.
 */

/** A request one of the simulators received. */
export interface UpstreamRecord {
  upstream: 'servicenow' | 'genesys';
  method: string;
  path: string;
  /** Raw query string, without `?`. */
  query: string;
  headers: IncomingHttpHeaders;
}

const pointer = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

/** Validators built from the document itself: the error shape and each operation's 200 body. */
export function contractValidators(doc: Schema, ops: Operation[]) {
  const ajv = createSchemaEngine({ strict: false });
  ajv.addSchema(doc, 'openapi');
  const error = ajv.compile({ $ref: 'openapi#/components/schemas/Error' });
  const success = new Map<string, ValidateFunction>();
  for (const op of ops) {
    const ref = `openapi#/paths/${pointer(op.template)}/${op.method.toLowerCase()}/responses/200/content/application~1json/schema`;
    if (ajv.getSchema(ref)) success.set(`${op.method} ${op.template}`, ajv.compile({ $ref: ref }));
  }
  return { error, success };
}

/** The secrets to look for: each as is, and each user:password pair as its Basic credential (base64). */
export function secretForms(secrets: Iterable<string>, basicPairs: Iterable<[string, string]> = []): string[] {
  const forms = new Set<string>();
  for (const s of secrets) if (s.length >= 6) forms.add(s);
  for (const [user, password] of basicPairs) forms.add(Buffer.from(`${user}:${password}`).toString('base64'));
  return [...forms];
}

export function checkResponse(
  req: HostileRequest,
  res: HostileResponse,
  ctx: { validators: ReturnType<typeof contractValidators>; secrets: string[] },
): string[] {
  const problems: string[] = [];
  const text = res.body.toString('utf8');
  if (res.status >= 500) problems.push(`answered ${res.status}: ${text.slice(0, 300)}`);
  const requestId = res.headers['x-request-id'];
  if (typeof requestId !== 'string' || requestId === '') problems.push('no X-Request-Id');
  const head = res.rawHeaders.join('\n');
  for (const secret of ctx.secrets) {
    if (text.includes(secret) || head.includes(secret)) problems.push(`a secret (${secret.slice(0, 4)}…) is in the answer`);
  }
  // A HEAD answer has no body, and OPTIONS lists the allowed methods as text (an error is JSON).
  if (req.method === 'HEAD' || (req.method === 'OPTIONS' && res.status < 400)) return problems;
  // The audit exports (GET /v1/audit as NDJSON or CSV): every line an entry, or the CSV header first.
  const type = String(res.headers['content-type'] ?? '');
  if (res.status === 200 && type.startsWith('application/x-ndjson')) {
    for (const line of text.split('\n').filter(Boolean)) {
      try {
        JSON.parse(line);
      } catch {
        problems.push(`an NDJSON line is not JSON: ${line.slice(0, 200)}`);
      }
    }
    return problems;
  }
  if (res.status === 200 && type.startsWith('text/csv')) {
    if (!text.startsWith('id,at,subject,kind,org,message,details\r\n'))
      problems.push(`a CSV export without its header: ${text.slice(0, 200)}`);
    return problems;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    problems.push(`the body is not JSON: ${text.slice(0, 200)}`);
    return problems;
  }
  if (!/^application\/json\b/.test(String(res.headers['content-type'] ?? '')))
    problems.push(`content-type ${String(res.headers['content-type'])}`);
  if (res.status >= 400) {
    if (!ctx.validators.error(parsed))
      problems.push(`not the error contract: ${JSON.stringify(ctx.validators.error.errors)} in ${text.slice(0, 300)}`);
    const body = parsed as { error?: { code?: string }; requestId?: string };
    const code = body.error?.code as keyof typeof ERROR_STATUS | undefined;
    if (code && ERROR_STATUS[code] !== res.status) problems.push(`code ${code} belongs with ${ERROR_STATUS[code]}, answered ${res.status}`);
    if (body.requestId !== requestId) problems.push(`requestId ${String(body.requestId)} is not the X-Request-Id ${String(requestId)}`);
    if (res.status === 401 && !res.headers['www-authenticate']) problems.push('401 without WWW-Authenticate');
    if (res.status === 429 && !/^\d+$/.test(String(res.headers['retry-after'] ?? '')))
      problems.push(`429 without Retry-After in whole seconds (${String(res.headers['retry-after'])})`);
  } else if (res.status === 200) {
    const validate = ctx.validators.success.get(req.op);
    if (validate && !validate(parsed))
      problems.push(`200 body does not fit the documented schema: ${JSON.stringify(validate.errors).slice(0, 400)}`);
  }
  return problems;
}

const SN_PATH = /^\/(oauth_token\.do|api\/now\/table\/(incident|sys_journal_field)(\/[0-9a-f]{32})?)$/;
const SN_PARAMS = new Set(['sysparm_query', 'sysparm_limit', 'sysparm_fields', 'sysparm_exclude_reference_link']);
/** The conditions trunkgate itself writes; a value is everything after the operator. */
const SN_TERM = /^(?:(active|correlation_id|number|sys_id|element_id|element)=|(value)LIKE|(ORDERBYDESCsys_created_on)$)/;
const GENESYS_PATH =
  /^\/(oauth\/token|api\/v2\/(tokens\/me|telephony\/providers\/edges\/trunks(\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})?|notifications\/(availabletopics|channels(\/[A-Za-z0-9-]+(\/subscriptions)?)?)))$/;

/** The terms of an encoded query, split where ServiceNow splits it (`^^` is a literal caret). */
export function queryTerms(query: string): string[] {
  // NUL stands in for an escaped caret while splitting: it cannot occur in a query string.
  const ESCAPED = '\u0000';
  return query
    .replaceAll('^^', ESCAPED)
    .split('^')
    .map((t) => t.replaceAll(ESCAPED, '^^'));
}

/** Problems with one ServiceNow `sysparm_query`: a term trunkgate does not write (`^OR`, `^NQ`, `ISNOTEMPTY`…) or one written twice. */
export function queryProblems(query: string): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const term of queryTerms(query)) {
    const m = SN_TERM.exec(term);
    if (!m) {
      problems.push(`a condition trunkgate does not write: ${JSON.stringify(term.slice(0, 80))}`);
      continue;
    }
    const field = m[1] ?? m[2] ?? m[3]!;
    if (seen.has(field)) problems.push(`${field} twice: the query was widened`);
    seen.add(field);
  }
  return problems;
}

function paramsProblems(query: string, allowed: Set<string> | null): string[] {
  const problems: string[] = [];
  const params = new URLSearchParams(query);
  const keys = [...params.keys()];
  if (new Set(keys).size !== keys.length) problems.push(`a parameter twice: ${query.slice(0, 200)}`);
  if (allowed) for (const k of keys) if (!allowed.has(k)) problems.push(`unexpected parameter ${k}`);
  return problems;
}

export function auditUpstream(r: UpstreamRecord): string[] {
  const problems: string[] = [];
  for (const [name, value] of Object.entries(r.headers)) {
    for (const v of Array.isArray(value) ? value : [value ?? '']) if (/[\r\n]/.test(v)) problems.push(`CR/LF in the ${name} header`);
  }
  if (r.path.includes('..') || /%2f|%2e|%5c/i.test(r.path)) problems.push(`traversal in the path ${r.path}`);
  if (r.upstream === 'servicenow') {
    if (!SN_PATH.test(r.path)) problems.push(`unexpected ServiceNow path ${r.path}`);
    if (r.path !== '/oauth_token.do') problems.push(...paramsProblems(r.query, SN_PARAMS));
    const q = new URLSearchParams(r.query).get('sysparm_query');
    if (q !== null) problems.push(...queryProblems(q));
    const limit = new URLSearchParams(r.query).get('sysparm_limit');
    if (limit !== null && !['1', '5'].includes(limit)) problems.push(`sysparm_limit ${limit}`);
  } else {
    if (!GENESYS_PATH.test(r.path)) problems.push(`unexpected Genesys path ${r.path}`);
    problems.push(...paramsProblems(r.query, null));
    for (const [k, v] of new URLSearchParams(r.query))
      if (!/^[A-Za-z0-9_.,:-]*$/.test(v)) problems.push(`unexpected value in ${k}: ${JSON.stringify(v.slice(0, 80))}`);
  }
  return problems.map((p) => `${r.upstream} ${r.method} ${r.path}: ${p}`);
}
