import type { IncomingMessage, ServerResponse } from 'node:http';
import { matchesQuery, orderComparator, parseEncodedQuery } from './encoded-query.js';
import type { SimIncident } from './incident-table.js';
import { JOURNAL_TABLE, isJournalField, journalRows } from './journal-table.js';
import type { SimUser } from './options.js';
import { viewOptionsFrom, viewRecord } from './record-view.js';
import { baseUrl } from './sim-state.js';
import type { SimState } from './sim-state.js';
import { BodyTooLargeError, failure, readBody, sendEmpty, sendJson } from './wire.js';
import type { HeaderMap } from './wire.js';

/** /api/now/table/{table}[/{sys_id}], also under the versioned /api/now/v1 and /api/now/v2 paths. */
const TABLE_PATH = /^\/api\/now\/(?:v[12]\/)?table\/([^/]+)(?:\/([^/]+))?\/?$/;

const DEFAULT_LIMIT = 10_000;

export interface TableRequest {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  user: SimUser;
  /** Headers every answer carries (cache, rate limit). */
  headers: HeaderMap;
}

export function isTablePath(pathname: string): boolean {
  return TABLE_PATH.test(pathname);
}

/** Reads a JSON object body; answers the instance's 400 itself and returns undefined when it cannot. */
async function readRecordBody(call: TableRequest, state: SimState): Promise<Record<string, unknown> | undefined> {
  const { req, res, headers } = call;
  let text: string;
  try {
    text = (await readBody(req, state.config.maxBodyBytes)).toString('utf8');
  } catch (err) {
    if (!(err instanceof BodyTooLargeError)) throw err;
    // Wording quoted in ServiceNow KB0747638.
    const detail = `Rejected large REST payload with content-length = ${err.size} bytes. Max allowed: ${err.limit} bytes.`;
    sendJson(res, 400, failure('Exception while reading request', detail), headers);
    return undefined;
  }
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // The message is the instance's for unreadable bodies (KB0747638); this detail text is unconfirmed.
    sendJson(res, 400, failure('Exception while reading request', 'The payload is not valid JSON.'), headers);
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    sendJson(res, 400, failure('Exception while reading request', 'The payload is not a JSON object.'), headers);
    return undefined;
  }
  return parsed as Record<string, unknown>;
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function notFound(call: TableRequest): void {
  sendJson(call.res, 404, failure('No Record found', "Record doesn't exist or ACL restricts the record retrieval"), call.headers);
}

function nonNegativeInt(value: string | null, fallback: number): number {
  const n = value === null ? Number.NaN : Number.parseInt(value, 10);
  return Number.isFinite(n) && n >= 0 ? n : fallback;
}

/** The Link header of a list answer (first / prev / next / last), as the instance sends it. */
function pageLinks(url: URL, base: string, total: number, offset: number, limit: number): string {
  const link = (at: number, rel: string) => {
    const target = new URL(url.pathname + url.search, base);
    target.searchParams.set('sysparm_limit', String(limit));
    target.searchParams.set('sysparm_offset', String(at));
    return `<${target.toString()}>;rel="${rel}"`;
  };
  const links = [link(0, 'first')];
  if (offset > 0) links.push(link(Math.max(0, offset - limit), 'prev'));
  if (offset + limit < total) links.push(link(offset + limit, 'next'));
  links.push(link(limit > 0 && total > 0 ? Math.floor((total - 1) / limit) * limit : 0, 'last'));
  return links.join(',');
}

/** A GET list on a table: `sysparm_query` (unknown fields ignored), ORDERBY, limit and offset. */
function list(call: TableRequest, state: SimState, all: Array<Record<string, string>>, hasField: (f: string) => boolean): void {
  const { url, res, headers } = call;
  const params = url.searchParams;
  const query = parseEncodedQuery(params.get('sysparm_query') ?? '', hasField);
  let rows = all.filter((r) => matchesQuery(query, r));
  if (query.orderBy.length > 0) rows = [...rows].sort(orderComparator(query.orderBy));
  const limit = nonNegativeInt(params.get('sysparm_limit'), DEFAULT_LIMIT);
  const offset = nonNegativeInt(params.get('sysparm_offset'), 0);
  const view = viewOptionsFrom(params, baseUrl(state));
  const result = rows.slice(offset, offset + limit).map((r) => viewRecord(r, view));
  sendJson(
    res,
    200,
    { result },
    {
      ...headers,
      'X-Total-Count': rows.length,
      Link: pageLinks(url, baseUrl(state) || 'http://servicenow.invalid', rows.length, offset, limit),
    },
  );
}

function answerRecord(call: TableRequest, state: SimState, status: number, row: Pick<SimIncident, 'fields'>, extra: HeaderMap = {}): void {
  const view = viewOptionsFrom(call.url.searchParams, baseUrl(state));
  sendJson(call.res, status, { result: viewRecord(row.fields, view) }, { ...call.headers, ...extra });
}

function unsupported(call: TableRequest, method: string): void {
  // Unconfirmed wording; the status is the one ServiceNow documents for an unsupported method.
  sendJson(call.res, 405, failure('Method not Supported', `${method} is not supported for this resource`), call.headers);
}

/** sys_journal_field, read-only: the journal entries the incidents' work notes and comments made. */
function journal(call: TableRequest, state: SimState, sysId: string | undefined): void {
  const method = call.req.method ?? 'GET';
  if (method !== 'GET') return unsupported(call, method);
  if (sysId === undefined) return list(call, state, journalRows(state.table), isJournalField);
  const row = journalRows(state.table).find((r) => r.sys_id === sysId);
  if (!row) return notFound(call);
  sendJson(call.res, 200, { result: viewRecord(row, viewOptionsFrom(call.url.searchParams, baseUrl(state))) }, call.headers);
}

/**
 * Serves the Table API for the incident table, its journal (sys_journal_field) and reads (only) of the
 * reference tables incidents point to; other table names get the instance's "Invalid table".
 */
export async function handleTableRequest(call: TableRequest, state: SimState): Promise<void> {
  const { req, res, url, user, headers } = call;
  const [, rawTable, rawSysId] = TABLE_PATH.exec(url.pathname) ?? [];
  const tableName = decode(rawTable ?? '');
  const sysId = rawSysId === undefined ? undefined : decode(rawSysId);
  const method = req.method ?? 'GET';
  const reference = state.references.get(tableName);
  if (reference) {
    if (method !== 'GET') return unsupported(call, method);
    if (sysId === undefined)
      return list(
        call,
        state,
        reference.all().map((r) => r.fields),
        (f) => reference.hasField(f),
      );
    const row = reference.get(sysId);
    return row ? answerRecord(call, state, 200, row) : notFound(call);
  }
  if (tableName === JOURNAL_TABLE) return journal(call, state, sysId);
  if (tableName !== state.table.name) {
    // Quoted from several captured instance answers (400, detail null).
    return sendJson(res, 400, failure(`Invalid table ${tableName}`, null), headers);
  }
  const ctx = { user, now: state.config.clock() };

  if (sysId === undefined) {
    if (method === 'GET')
      return list(
        call,
        state,
        state.table.all().map((r) => r.fields),
        (f) => state.table.hasField(f),
      );
    if (method === 'POST') {
      state.stats.createRequestTimes.push(ctx.now);
      const input = await readRecordBody(call, state);
      if (!input) return;
      const row = state.table.create(input, { ...ctx, now: state.config.clock() });
      state.stats.incidentsCreated += 1;
      state.stats.journalEntries += row.journal.length;
      return answerRecord(call, state, 201, row, { Location: `${baseUrl(state)}/api/now/table/incident/${row.sysId}` });
    }
  } else {
    if (method === 'GET') {
      const row = state.table.get(sysId);
      return row ? answerRecord(call, state, 200, row) : notFound(call);
    }
    if (method === 'PATCH' || method === 'PUT') {
      const input = await readRecordBody(call, state);
      if (!input) return;
      const journalBefore = state.table.get(sysId)?.journal.length ?? 0;
      const row = state.table.update(sysId, input, { ...ctx, now: state.config.clock() });
      if (!row) return notFound(call);
      state.stats.incidentsUpdated += 1;
      state.stats.journalEntries += row.journal.length - journalBefore;
      return answerRecord(call, state, 200, row);
    }
    if (method === 'DELETE') {
      if (!state.table.delete(sysId)) return notFound(call);
      state.stats.incidentsDeleted += 1;
      return sendEmpty(res, 204, headers);
    }
  }
  unsupported(call, method);
}
