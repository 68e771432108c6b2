import { copy, type FakeDatabase } from '../store/fake-database.js';
import { matchesAudit, type AuditEntry, type AuditFilter, type AuditRow, type AuditStore } from './audit-store.js';

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
  async listAudit(options: AuditFilter & { limit: number }) {
    const rows = this.t().rows.filter((a) => matchesAudit(a, options));
    return copy(rows.sort((a, b) => b.id - a.id).slice(0, options.limit));
  }
  async pruneAudit(before: number) {
    const t = this.t();
    t.rows = t.rows.filter((a) => a.at >= before);
  }
}
