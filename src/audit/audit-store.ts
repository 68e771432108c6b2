export const auditSteps = ['seen', 'decided', 'sent', 'answered', 'alerted'] as const;
export type AuditStep = (typeof auditSteps)[number];

/** One line of the decision trail: what was seen, decided, sent and answered. */
export interface AuditEntry {
  at: number;
  /** The correlation id or trunk id the entry is about. */
  subject: string;
  incidentId: string | null;
  step: AuditStep;
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
