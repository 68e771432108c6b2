import type { FakeDatabase } from '../store/fake-database.js';
import type { IncidentRow } from './incident-store.js';
import type { OutboxEntry } from './outbox-store.js';

/** The fake's incident tables: incidents (with their outbox sequence), the trunks each concerns, the outbox. */
export interface FakeIncidentTables {
  incidents: Map<string, IncidentRow & { nextSeq: number }>;
  /** incident id → its trunks with when they were added. */
  incidentTrunks: Map<string, Array<{ trunkId: string; at: number }>>;
  outbox: Map<number, OutboxEntry>;
  nextOutboxId: number;
}

export const fakeIncidentTables = (db: FakeDatabase) =>
  db.table<FakeIncidentTables>('incidents', () => ({
    incidents: new Map(),
    incidentTrunks: new Map(),
    outbox: new Map(),
    nextOutboxId: 0,
  }));

/** An incident row as the stores hand it out (without the fake's outbox sequence). */
export function plainIncident(i: IncidentRow & { nextSeq: number }): IncidentRow {
  const { nextSeq: _n, ...row } = i;
  return structuredClone(row);
}

/** An earlier undelivered entry of the same incident holds this one back (per-incident order). */
export function isHead(t: FakeIncidentTables, e: OutboxEntry): boolean {
  for (const o of t.outbox.values()) if (o.incidentId === e.incidentId && o.seq < e.seq) return false;
  return true;
}

/** The incident's first trunk first, then the others in the order they were added (as the SQL orders them). */
export function trunksOf(t: FakeIncidentTables, incidentId: string): string[] {
  const first = t.incidents.get(incidentId)?.trunkId;
  const rank = (x: { trunkId: string }) => (x.trunkId === first ? 0 : 1);
  return [...(t.incidentTrunks.get(incidentId) ?? [])]
    .sort((a, b) => rank(a) - rank(b) || a.at - b.at || a.trunkId.localeCompare(b.trunkId))
    .map((x) => x.trunkId);
}
