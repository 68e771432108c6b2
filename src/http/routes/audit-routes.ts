import { Router, type Request } from 'express';
import { auditKinds, type AuditKind } from '../../audit/audit-kinds.js';
import { decodeCursor, type AuditQueries, type AuditQuery } from '../../audit/audit-views.js';
import type { AuditList } from '../../audit/audit-view-schema.js';
import { ValidationError, type ErrorDetail } from '../../errors/app-error.js';
import { subjectForms } from '../../trunks/subject-names.js';
import { isDateTime } from '../../validation/schema-engine.js';
import type { AccessControl } from '../access-control.js';
import { EXPORT_MEDIA_TYPES, writeExport, type ExportFormat } from '../audit-export.js';
import { knownOrg } from './status-routes.js';

/** A page of `GET /v1/audit`: 100 entries by default, at most 1000. */
export const AUDIT_PAGE = { default: 100, max: 1000 } as const;
/** An export reads the store this many entries at a time; its `limit` (optional) may go this high. */
export const EXPORT_BATCH = 500;
export const EXPORT_MAX_LIMIT = 100_000_000;
const FORMATS = ['json', 'ndjson', 'csv'] as const;

/** What a request to GET /v1/audit asks for, every parameter checked. */
export interface AuditRequest {
  query: AuditQuery;
  limit: number | undefined;
  afterId: number | undefined;
  format: (typeof FORMATS)[number];
}

/** `?format=` wins; otherwise `Accept: application/x-ndjson` (or `text/csv`) asks for an export, anything else JSON. */
function formatOf(req: Request, raw: string | undefined, problems: ErrorDetail[]): AuditRequest['format'] {
  if (raw !== undefined) {
    if ((FORMATS as readonly string[]).includes(raw)) return raw as AuditRequest['format'];
    problems.push({ message: 'must be one of "json", "ndjson", "csv"', parameter: 'format' });
    return 'json';
  }
  const accepted = req.accepts(['application/json', 'application/x-ndjson', 'text/csv']);
  return accepted === 'application/x-ndjson' ? 'ndjson' : accepted === 'text/csv' ? 'csv' : 'json';
}

/** Reads and checks every parameter, reporting all problems at once (400 validation_failed), then the org (404). */
export function auditRequest(req: Request, o: { orgs: readonly string[]; perOrg: boolean }): AuditRequest {
  const problems: ErrorDetail[] = [];
  const param = (name: string): string | undefined => {
    const raw = req.query[name];
    if (raw === undefined || typeof raw === 'string') return raw;
    problems.push({ message: 'must be given once', parameter: name });
    return undefined;
  };
  const time = (name: string): number | undefined => {
    const raw = param(name);
    if (raw === undefined) return undefined;
    if (isDateTime(raw)) return Date.parse(raw);
    problems.push({ message: 'must be an RFC 3339 date-time, e.g. 2026-01-31T08:00:00Z', parameter: name });
    return undefined;
  };
  const format = formatOf(req, param('format'), problems);
  const exporting = format !== 'json';
  const max = exporting ? EXPORT_MAX_LIMIT : AUDIT_PAGE.max;
  const rawLimit = param('limit');
  let limit: number | undefined = exporting ? undefined : AUDIT_PAGE.default;
  if (rawLimit !== undefined) {
    const n = /^\d{1,10}$/.test(rawLimit) ? Number(rawLimit) : Number.NaN;
    if (Number.isInteger(n) && n >= 1 && n <= max) limit = n;
    else problems.push({ message: `must be an integer from 1 to ${max}`, parameter: 'limit' });
  }
  const rawCursor = param('cursor');
  const afterId = rawCursor === undefined ? undefined : decodeCursor(rawCursor);
  if (rawCursor !== undefined && afterId === undefined)
    problems.push({ message: 'is not a cursor this API gave (pass nextCursor back unchanged)', parameter: 'cursor' });
  const since = time('since');
  const until = time('until');
  if (since !== undefined && until !== undefined && since > until)
    problems.push({ message: 'must not be after until', parameter: 'since' });
  const kind = param('kind');
  if (kind !== undefined && !(auditKinds as readonly string[]).includes(kind))
    problems.push({ message: `must be one of ${auditKinds.map((k) => `"${k}"`).join(', ')}`, parameter: 'kind' });
  const subject = param('subject');
  const incident = param('incident');
  for (const [name, value] of [
    ['subject', subject],
    ['incident', incident],
  ] as const)
    if (value !== undefined && (value.length === 0 || value.length > 300))
      problems.push({ message: 'must be 1 to 300 characters', parameter: name });
  const org = param('org');
  if (problems.length > 0)
    throw new ValidationError(`Invalid query: ${problems.map((p) => `${String(p.parameter)} ${p.message}`).join('; ')}`, problems);
  if (org !== undefined) knownOrg(org, o.orgs);
  const query: AuditQuery = {
    ...(subject !== undefined ? { subjects: subjectForms(subject, { perOrg: o.perOrg, orgs: org !== undefined ? [org] : o.orgs }) } : {}),
    ...(incident !== undefined ? { incident } : {}),
    ...(org !== undefined ? { org } : {}),
    ...(kind !== undefined ? { kind: kind as AuditKind } : {}),
    ...(since !== undefined ? { since } : {}),
    ...(until !== undefined ? { until } : {}),
  };
  return { query, limit, afterId, format };
}

/** `GET /v1/audit` (README, "Audit trail"): a page of JSON, or the whole selection streamed as NDJSON or CSV. */
export function auditRoutes(deps: { audit: AuditQueries; orgs: readonly string[]; perOrg: boolean; access: AccessControl }): Router {
  const router = Router();
  router.get('/audit', deps.access.allow('GET /v1/audit'), async (req, res) => {
    const r = auditRequest(req, deps);
    if (r.format === 'json') {
      res.json((await deps.audit.page(r.query, r.limit ?? AUDIT_PAGE.default, r.afterId)) satisfies AuditList);
      return;
    }
    const format: ExportFormat = r.format;
    const batches = deps.audit.batches(r.query, { batchSize: EXPORT_BATCH, afterId: r.afterId, max: r.limit });
    await writeExport(res, batches, format, () => {
      res.status(200).setHeader('Content-Type', EXPORT_MEDIA_TYPES[format]);
      res.setHeader('Content-Disposition', `attachment; filename="trunkgate-audit.${format}"`);
      res.setHeader('Cache-Control', 'no-store');
    });
  });
  return router;
}
