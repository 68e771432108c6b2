import type { AuditKind } from './audit-kinds.js';

/** One line of the decision trail: what was seen, decided, sent and answered. */
export interface AuditEntry {
  at: number;
  /** The correlation id or trunk id the entry is about. */
  subject: string;
  incidentId: string | null;
  kind: AuditKind;
  /** The Genesys org the entry is about, when it is about one (a trunk, an incident, an org's token). */
  org?: string | null;
  message: string;
  data: Record<string, unknown> | null;
}

export interface AuditRow extends AuditEntry {
  id: number;
}

/** Which entries a listing returns; every field given must match. */
export interface AuditFilter {
  subject?: string;
  /** Any of these subjects (a trunk id and its subject forms); an empty list matches nothing. */
  subjects?: readonly string[];
  incidentId?: string;
  /** Any of these incidents (an incident number may name one on each ServiceNow instance); an empty list matches nothing. */
  incidentIds?: readonly string[];
  org?: string;
  kind?: AuditKind;
  /** `at` at or after this (epoch ms). */
  since?: number;
  /** `at` at or before this (epoch ms). */
  until?: number;
  /** Only entries with a smaller id: the keyset cursor of the page before. */
  beforeId?: number;
}

/** The audit trail of every decision; appended in time order, pruned by age. */
export interface AuditStore {
  addAudit(entry: AuditEntry): Promise<void>;
  /** Newest (highest id) first, at most `limit`. */
  listAudit(options: AuditFilter & { limit: number }): Promise<AuditRow[]>;
  /** Deletes lines older than `before` (retention). */
  pruneAudit(before: number): Promise<void>;
}

/** Whether `row` passes `filter` (what the SQL WHERE says, for the in-memory store). */
export function matchesAudit(row: AuditRow, f: AuditFilter): boolean {
  return (
    (f.subject === undefined || row.subject === f.subject) &&
    (f.subjects === undefined || f.subjects.includes(row.subject)) &&
    (f.incidentId === undefined || row.incidentId === f.incidentId) &&
    (f.incidentIds === undefined || (row.incidentId !== null && f.incidentIds.includes(row.incidentId))) &&
    (f.org === undefined || (row.org ?? null) === f.org) &&
    (f.kind === undefined || row.kind === f.kind) &&
    (f.since === undefined || row.at >= f.since) &&
    (f.until === undefined || row.at <= f.until) &&
    (f.beforeId === undefined || row.id < f.beforeId)
  );
}
