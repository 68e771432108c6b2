import { all, jsonOrNull, num, placeholders, run, strOrNull, type SqlRow, type SqlSession } from '../store/sql-session.js';
import { auditKindSteps, type AuditKind } from './audit-kinds.js';
import type { AuditEntry, AuditFilter, AuditRow, AuditStore } from './audit-store.js';

// `step` is what entries had before kinds (migration 6); it is still written, from the kind.
const INSERT = 'INSERT INTO audit_log (at, subject, incident_id, step, kind, org, message, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)';
// Lines are appended in time order, so everything below the first id at or after the cutoff is older:
// the scan stops at that row and no index on `at` is needed.
const PRUNE =
  'DELETE FROM audit_log WHERE id < COALESCE((SELECT id FROM audit_log WHERE at >= ? ORDER BY id LIMIT 1), (SELECT MAX(id) + 1 FROM audit_log))';

function auditFromRow(r: SqlRow): AuditRow {
  return {
    id: num(r.id),
    at: num(r.at),
    subject: String(r.subject),
    incidentId: strOrNull(r.incident_id),
    kind: String(r.kind) as AuditKind,
    org: strOrNull(r.org),
    message: String(r.message),
    data: jsonOrNull<Record<string, unknown>>(r.data),
  };
}

/** The audit trail in SQL, one text for SQLite and PostgreSQL. */
export class SqlAuditStore implements AuditStore {
  constructor(private readonly s: SqlSession) {}

  async addAudit(entry: AuditEntry): Promise<void> {
    await run(this.s, INSERT, [
      entry.at,
      entry.subject,
      entry.incidentId,
      auditKindSteps[entry.kind],
      entry.kind,
      entry.org ?? null,
      entry.message,
      entry.data === null ? null : JSON.stringify(entry.data),
    ]);
  }

  /**
   * Newest first, by id (the keyset: `beforeId` continues a listing). A subject or incident is found
   * through its index (`audit_by_subject`, `audit_by_incident`); the other filters are checked while
   * walking the ids down, which stops at `limit` rows.
   */
  async listAudit(options: AuditFilter & { limit: number }): Promise<AuditRow[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (clause: string, value: unknown) => {
      if (value === undefined) return;
      where.push(clause);
      params.push(value);
    };
    add('subject = ?', options.subject);
    if (options.subjects !== undefined) {
      if (options.subjects.length === 0) return [];
      where.push(`subject IN (${placeholders(options.subjects.length)})`);
      params.push(...options.subjects);
    }
    add('incident_id = ?', options.incidentId);
    if (options.incidentIds !== undefined) {
      if (options.incidentIds.length === 0) return [];
      where.push(`incident_id IN (${placeholders(options.incidentIds.length)})`);
      params.push(...options.incidentIds);
    }
    add('org = ?', options.org);
    add('kind = ?', options.kind);
    add('at >= ?', options.since);
    add('at <= ?', options.until);
    add('id < ?', options.beforeId);
    const text = `SELECT id, at, subject, incident_id, kind, org, message, data FROM audit_log ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
    return (await all(this.s, text, [...params, options.limit])).map(auditFromRow);
  }

  async pruneAudit(before: number): Promise<void> {
    await run(this.s, PRUNE, [before]);
  }
}
