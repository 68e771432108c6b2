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

/** The audit trail of every decision; appended in time order, pruned by age. */
export interface AuditStore {
  addAudit(entry: AuditEntry): Promise<void>;
  /** Newest first. */
  listAudit(options: { subject?: string; incidentId?: string; limit: number }): Promise<AuditRow[]>;
  /** Deletes lines older than `before` (retention). */
  pruneAudit(before: number): Promise<void>;
}
