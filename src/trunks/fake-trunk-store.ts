import { copy, type FakeDatabase } from '../store/fake-database.js';
import type { TrunkEventRow, TrunkRow, TrunkStore } from './trunk-store.js';

/** The fake's trunk tables; other fakes (the incident store) read them too. */
export interface FakeTrunkTables {
  trunks: Map<string, TrunkRow>;
  events: TrunkEventRow[];
  processed: Map<string, number>;
  nextEventId: number;
}

export const fakeTrunkTables = (db: FakeDatabase) =>
  db.table<FakeTrunkTables>('trunks', () => ({ trunks: new Map(), events: [], processed: new Map(), nextEventId: 0 }));

/** Trunks in memory, with the same contract as SqlTrunkStore (the store contract suite checks both). */
export class FakeTrunkStore implements TrunkStore {
  private readonly t: () => FakeTrunkTables;

  constructor(db: FakeDatabase) {
    this.t = fakeTrunkTables(db);
  }

  async getTrunk(trunkId: string) {
    return copy(this.t().trunks.get(trunkId) ?? null);
  }
  async listTrunks(options: { org?: string } = {}) {
    return copy(
      [...this.t().trunks.values()]
        .filter((t) => options.org === undefined || t.org === options.org)
        .sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '') || a.trunkId.localeCompare(b.trunkId)),
    );
  }
  async listTrunksOfBase(trunkBaseId: string) {
    return (await this.listTrunks()).filter((t) => t.trunkBaseId === trunkBaseId);
  }
  async upsertTrunk(row: TrunkRow) {
    this.t().trunks.set(row.trunkId, copy(row));
  }
  async addTrunkEvent(event: Omit<TrunkEventRow, 'id'>) {
    this.t().events.push({ ...copy(event), id: ++this.t().nextEventId });
  }
  async listTrunkEvents(trunkId: string, options: { limit: number; afterAt?: number }) {
    const after = options.afterAt ?? Number.MIN_SAFE_INTEGER;
    return copy(
      this.t()
        .events.filter((e) => e.trunkId === trunkId && e.at > after)
        .sort((a, b) => b.id - a.id)
        .slice(0, options.limit),
    );
  }
  async markEventProcessed(eventId: string, at: number) {
    if (this.t().processed.has(eventId)) return false;
    this.t().processed.set(eventId, at);
    return true;
  }
  async pruneTrunkHistory(before: number) {
    const t = this.t();
    t.events = t.events.filter((e) => e.at >= before);
    for (const [id, at] of t.processed) if (at < before) t.processed.delete(id);
  }
}
