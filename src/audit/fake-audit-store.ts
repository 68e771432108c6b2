import { copy, type FakeDatabase } from '../store/fake-database.js';
import type { AuditEntry, AuditRow, AuditStore } from './audit-store.js';

interface FakeAuditTable {
  rows: AuditRow[];
  nextId: number;
}

/** The audit trail in memory, with the same contract as SqlAuditStore. */
export class FakeAuditStore implements AuditStore {
  private readonly t: () => FakeAuditTable;

  constructor(db: FakeDatabase) {
    this.t = db.table<FakeAuditTable>('audit', () => ({ rows: [], nextId: 0 }));
  }

  async addAudit(entry: AuditEntry) {
    this.t().rows.push({ ...copy(entry), org: entry.org ?? null, id: ++this.t().nextId });
  }
  async listAudit(options: { subject?: string; incidentId?: string; limit: number }) {
    const rows = this.t().rows.filter(
      (a) =>
        (options.subject === undefined || a.subject === options.subject) &&
        (options.incidentId === undefined || a.incidentId === options.incidentId),
    );
    return copy(rows.sort((a, b) => b.id - a.id).slice(0, options.limit));
  }
  async pruneAudit(before: number) {
    const t = this.t();
    t.rows = t.rows.filter((a) => a.at >= before);
  }
}
