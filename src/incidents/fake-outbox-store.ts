import { copy, type FakeDatabase } from '../store/fake-database.js';
import { fakeIncidentTables, isHead, plainIncident, type FakeIncidentTables } from './fake-incident-tables.js';
import type { ClaimedDelivery, OutboxOperation, OutboxStore, StuckDelivery } from './outbox-store.js';

/** The outbox in memory, with the same contract as SqlOutboxStore. */
export class FakeOutboxStore implements OutboxStore {
  private readonly t: () => FakeIncidentTables;

  constructor(db: FakeDatabase) {
    this.t = fakeIncidentTables(db);
  }

  async enqueueDelivery(entry: { incidentId: string; operation: OutboxOperation; payload: Record<string, unknown>; at: number }) {
    const t = this.t();
    const incident = t.incidents.get(entry.incidentId);
    if (!incident) throw new Error(`no incident ${entry.incidentId} to queue a delivery for`);
    const id = ++t.nextOutboxId;
    t.outbox.set(id, {
      id,
      incidentId: entry.incidentId,
      seq: incident.nextSeq++,
      operation: entry.operation,
      payload: copy(entry.payload),
      createdAt: entry.at,
      attempts: 0,
      nextAttemptAt: entry.at,
      lastError: null,
      claimedBy: null,
      claimedUntil: null,
      inDoubt: false,
    });
    return id;
  }
  async claimDeliveries(options: {
    owner: string;
    now: number;
    leaseMs: number;
    limit: number;
    instance?: string;
  }): Promise<ClaimedDelivery[]> {
    const t = this.t();
    const due = [...t.outbox.values()]
      .filter((o) => o.nextAttemptAt <= options.now && (o.claimedUntil === null || o.claimedUntil <= options.now) && isHead(t, o))
      .filter((o) => options.instance === undefined || t.incidents.get(o.incidentId)?.servicenowInstance === options.instance)
      .sort((a, b) => a.nextAttemptAt - b.nextAttemptAt || a.id - b.id)
      .slice(0, options.limit);
    return due.map((o) => {
      const before = o.inDoubt;
      Object.assign(o, { claimedBy: options.owner, claimedUntil: options.now + options.leaseMs, inDoubt: true });
      return { ...copy(o), inDoubt: before, incident: plainIncident(t.incidents.get(o.incidentId)!) };
    });
  }
  async completeDelivery(id: number, owner: string) {
    const o = this.t().outbox.get(id);
    if (!o || o.claimedBy !== owner) return false;
    return this.t().outbox.delete(id);
  }
  async retryDelivery(id: number, owner: string, retry: { nextAttemptAt: number; error: string; inDoubt: boolean }) {
    const o = this.t().outbox.get(id);
    if (!o || o.claimedBy !== owner) return false;
    Object.assign(o, {
      attempts: o.attempts + 1,
      nextAttemptAt: retry.nextAttemptAt,
      lastError: retry.error,
      inDoubt: retry.inDoubt,
      claimedBy: null,
      claimedUntil: null,
    });
    return true;
  }
  async nextDeliveryDueAt(options: { instance?: string } = {}) {
    const t = this.t();
    const times = [...t.outbox.values()]
      .filter((o) => options.instance === undefined || t.incidents.get(o.incidentId)?.servicenowInstance === options.instance)
      .flatMap((o) => (o.claimedBy !== null ? [o.claimedUntil!] : isHead(t, o) ? [o.nextAttemptAt] : []));
    return times.length > 0 ? Math.min(...times) : null;
  }
  async outboxDepth() {
    return this.t().outbox.size;
  }
  async listStuckDeliveries(cutoff: number): Promise<StuckDelivery[]> {
    const t = this.t();
    return [...t.outbox.values()]
      .filter((o) => o.createdAt <= cutoff && isHead(t, o))
      .sort((a, b) => a.createdAt - b.createdAt)
      .map((o) => {
        const i = t.incidents.get(o.incidentId)!;
        return {
          incidentId: i.id,
          correlationId: i.correlationId,
          trunkId: i.trunkId,
          kind: i.kind,
          operation: o.operation,
          waitingSince: o.createdAt,
          attempts: o.attempts,
          lastError: o.lastError,
        };
      });
  }
}
