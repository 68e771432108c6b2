import { copy, type FakeDatabase } from '../store/fake-database.js';
import { fakeTrunkTables, type FakeTrunkTables } from '../trunks/fake-trunk-store.js';
import {
  OpenIncidentConflictError,
  type IncidentPatch,
  type IncidentRow,
  type IncidentStore,
  type IncidentSummary,
} from './incident-store.js';
import { fakeIncidentTables, plainIncident, trunksOf, type FakeIncidentTables } from './fake-incident-tables.js';

const FAILING = new Set(['rejected', 'dropped']);

/** Incidents in memory, with the same contract as SqlIncidentStore (the store contract suite checks both). */
export class FakeIncidentStore implements IncidentStore {
  private readonly t: () => FakeIncidentTables;
  private readonly trunks: () => FakeTrunkTables;

  constructor(db: FakeDatabase) {
    this.t = fakeIncidentTables(db);
    this.trunks = fakeTrunkTables(db);
  }

  async getIncident(id: string) {
    const i = this.t().incidents.get(id);
    return i ? plainIncident(i) : null;
  }
  async findIncidentIds(ref: string) {
    return [...this.t().incidents.values()]
      .filter((i) => i.id === ref || i.number === ref || i.sysId === ref)
      .map((i) => i.id)
      .sort();
  }
  async getIncidentsByIds(ids: readonly string[]) {
    return ids.flatMap((id) => {
      const i = this.t().incidents.get(id);
      return i ? [plainIncident(i)] : [];
    });
  }
  async getOpenIncident(correlationId: string) {
    const i = [...this.t().incidents.values()].find((x) => x.correlationId === correlationId && x.open);
    return i ? plainIncident(i) : null;
  }
  async getLatestIncident(correlationId: string) {
    const found = [...this.t().incidents.values()]
      .filter((x) => x.correlationId === correlationId)
      .sort((a, b) => b.openedAt - a.openedAt || b.id.localeCompare(a.id));
    return found[0] ? plainIncident(found[0]) : null;
  }
  async listOpenIncidents() {
    return [...this.t().incidents.values()]
      .filter((i) => i.open)
      .sort((a, b) => a.openedAt - b.openedAt)
      .map(plainIncident);
  }
  async listIncidents(options: { open?: boolean; trunkId?: string; org?: string; limit: number }): Promise<IncidentSummary[]> {
    const t = this.t();
    const rows = [...t.incidents.values()]
      .filter(
        (i) =>
          (options.open === undefined || i.open === options.open) &&
          (options.org === undefined || i.org === options.org) &&
          (options.trunkId === undefined || trunksOf(t, i.id).includes(options.trunkId)),
      )
      .sort((a, b) => b.openedAt - a.openedAt || a.id.localeCompare(b.id))
      .slice(0, options.limit);
    return rows.map((i) => {
      const pending = [...t.outbox.values()].filter((o) => o.incidentId === i.id).sort((a, b) => a.seq - b.seq);
      return {
        ...plainIncident(i),
        trunkIds: trunksOf(t, i.id),
        pendingDeliveries: pending.length,
        lastDeliveryError: pending.find((o) => o.lastError !== null)?.lastError ?? null,
      };
    });
  }
  async listIncidentTrunks(incidentId: string) {
    return trunksOf(this.t(), incidentId);
  }
  async addIncidentTrunks(incidentId: string, trunkIds: readonly string[], at: number) {
    const list = this.t().incidentTrunks.get(incidentId) ?? [];
    for (const trunkId of trunkIds) if (!list.some((x) => x.trunkId === trunkId)) list.push({ trunkId, at });
    this.t().incidentTrunks.set(incidentId, list);
  }
  private assertOneOpen(row: IncidentRow): void {
    if (!row.open) return;
    for (const other of this.t().incidents.values()) {
      if (other.id !== row.id && other.open && other.correlationId === row.correlationId)
        throw new OpenIncidentConflictError(row.correlationId);
    }
  }
  async insertIncident(row: IncidentRow) {
    if (this.t().incidents.has(row.id)) throw new Error(`duplicate incident id ${row.id}`);
    this.assertOneOpen(row);
    this.t().incidents.set(row.id, { ...copy(row), nextSeq: 1 });
    if (row.trunkId !== null) this.t().incidentTrunks.set(row.id, [{ trunkId: row.trunkId, at: row.openedAt }]);
  }
  async updateIncident(id: string, patch: IncidentPatch) {
    const current = this.t().incidents.get(id);
    if (!current) return;
    const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
    const next = { ...current, ...copy(defined) };
    this.assertOneOpen(next);
    this.t().incidents.set(id, next);
  }
  async listTrunksDueToOpen(cutoff: number) {
    const t = this.t();
    const covered = new Set([...t.incidents.values()].filter((i) => i.open).flatMap((i) => trunksOf(t, i.id)));
    const due = [...this.trunks().trunks.values()].filter(
      (x) => FAILING.has(x.state) && x.failingSince !== null && x.failingSince <= cutoff && x.goneAt === null && !covered.has(x.trunkId),
    );
    return copy(due.sort((a, b) => a.failingSince! - b.failingSince!));
  }
}
