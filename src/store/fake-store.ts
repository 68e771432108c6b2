import { SerialGate, transactionHandles, wrapOps } from './serial-gate.js';
import {
  OpenIncidentConflictError,
  type AlertPurpose,
  type AlertRow,
  type AuditEntry,
  type AuditRow,
  type ClaimedDelivery,
  type IncidentPatch,
  type IncidentRow,
  type IncidentSummary,
  type OutboxEntry,
  type OutboxOperation,
  type Store,
  type StoreOps,
  type StuckDelivery,
  type TrunkEventRow,
  type TrunkRow,
} from './store.js';

interface FakeData {
  trunks: Map<string, TrunkRow>;
  events: TrunkEventRow[];
  processed: Map<string, number>;
  incidents: Map<string, IncidentRow & { nextSeq: number }>;
  /** incident id → its trunks with when they were added. */
  incidentTrunks: Map<string, Array<{ trunkId: string; at: number }>>;
  outbox: Map<number, OutboxEntry>;
  audit: AuditRow[];
  alerts: Map<string, AlertRow>;
  alertClaims: Map<string, { owner: string; until: number }>;
  ids: { event: number; outbox: number; audit: number };
}

const emptyData = (): FakeData => ({
  trunks: new Map(),
  events: [],
  processed: new Map(),
  incidents: new Map(),
  incidentTrunks: new Map(),
  outbox: new Map(),
  audit: [],
  alerts: new Map(),
  alertClaims: new Map(),
  ids: { event: 0, outbox: 0, audit: 0 },
});

const copy = <T>(v: T): T => structuredClone(v);
const FAILING = new Set(['rejected', 'dropped']);

/** The store contract in memory, for unit tests of the services (the same contract suite checks it). */
class FakeOps implements StoreOps {
  constructor(private readonly d: () => FakeData) {}

  private isHead(e: OutboxEntry): boolean {
    for (const o of this.d().outbox.values()) if (o.incidentId === e.incidentId && o.seq < e.seq) return false;
    return true;
  }

  async getTrunk(trunkId: string) {
    return copy(this.d().trunks.get(trunkId) ?? null);
  }
  async listTrunks() {
    return copy([...this.d().trunks.values()].sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '') || a.trunkId.localeCompare(b.trunkId)));
  }
  async listTrunksDueToOpen(cutoff: number) {
    const covered = new Set([...this.d().incidents.values()].filter((i) => i.open).flatMap((i) => this.trunksOf(i.id)));
    const due = [...this.d().trunks.values()].filter((t) => FAILING.has(t.state) && t.failingSince !== null && t.failingSince <= cutoff && t.goneAt === null && !covered.has(t.trunkId));
    return copy(due.sort((a, b) => a.failingSince! - b.failingSince!));
  }
  async listTrunksOfBase(trunkBaseId: string) {
    return (await this.listTrunks()).filter((t) => t.trunkBaseId === trunkBaseId);
  }
  async upsertTrunk(row: TrunkRow) {
    this.d().trunks.set(row.trunkId, copy(row));
  }
  async addTrunkEvent(event: Omit<TrunkEventRow, 'id'>) {
    this.d().events.push({ ...copy(event), id: ++this.d().ids.event });
  }
  async listTrunkEvents(trunkId: string, options: { limit: number; afterAt?: number }) {
    const after = options.afterAt ?? Number.MIN_SAFE_INTEGER;
    return copy(this.d().events.filter((e) => e.trunkId === trunkId && e.at > after).sort((a, b) => b.id - a.id).slice(0, options.limit));
  }
  async markEventProcessed(eventId: string, at: number) {
    if (this.d().processed.has(eventId)) return false;
    this.d().processed.set(eventId, at);
    return true;
  }

  private plain(i: IncidentRow & { nextSeq: number }): IncidentRow {
    const { nextSeq: _n, ...row } = i;
    return copy(row);
  }
  async getIncident(id: string) {
    const i = this.d().incidents.get(id);
    return i ? this.plain(i) : null;
  }
  async getOpenIncident(correlationId: string) {
    const i = [...this.d().incidents.values()].find((x) => x.correlationId === correlationId && x.open);
    return i ? this.plain(i) : null;
  }
  async getLatestIncident(correlationId: string) {
    const all = [...this.d().incidents.values()].filter((x) => x.correlationId === correlationId).sort((a, b) => b.openedAt - a.openedAt || b.id.localeCompare(a.id));
    return all[0] ? this.plain(all[0]) : null;
  }
  async listOpenIncidents() {
    return [...this.d().incidents.values()].filter((i) => i.open).sort((a, b) => a.openedAt - b.openedAt).map((i) => this.plain(i));
  }
  async listIncidents(options: { open?: boolean; trunkId?: string; limit: number }): Promise<IncidentSummary[]> {
    const rows = [...this.d().incidents.values()]
      .filter((i) => (options.open === undefined || i.open === options.open) && (options.trunkId === undefined || this.trunksOf(i.id).includes(options.trunkId)))
      .sort((a, b) => b.openedAt - a.openedAt || a.id.localeCompare(b.id))
      .slice(0, options.limit);
    return rows.map((i) => {
      const pending = [...this.d().outbox.values()].filter((o) => o.incidentId === i.id).sort((a, b) => a.seq - b.seq);
      return { ...this.plain(i), trunkIds: this.trunksOf(i.id), pendingDeliveries: pending.length, lastDeliveryError: pending.find((o) => o.lastError !== null)?.lastError ?? null };
    });
  }
  async listIncidentTrunks(incidentId: string) {
    return this.trunksOf(incidentId);
  }
  async addIncidentTrunks(incidentId: string, trunkIds: readonly string[], at: number) {
    const list = this.d().incidentTrunks.get(incidentId) ?? [];
    for (const trunkId of trunkIds) if (!list.some((t) => t.trunkId === trunkId)) list.push({ trunkId, at });
    this.d().incidentTrunks.set(incidentId, list);
  }
  /** The incident's first trunk first, then the others in the order they were added (as the SQL orders them). */
  private trunksOf(incidentId: string): string[] {
    const first = this.d().incidents.get(incidentId)?.trunkId;
    const rank = (t: { trunkId: string }) => (t.trunkId === first ? 0 : 1);
    return [...(this.d().incidentTrunks.get(incidentId) ?? [])].sort((a, b) => rank(a) - rank(b) || a.at - b.at || a.trunkId.localeCompare(b.trunkId)).map((t) => t.trunkId);
  }
  private assertOneOpen(row: IncidentRow): void {
    if (!row.open) return;
    for (const other of this.d().incidents.values()) {
      if (other.id !== row.id && other.open && other.correlationId === row.correlationId) throw new OpenIncidentConflictError(row.correlationId);
    }
  }
  async insertIncident(row: IncidentRow) {
    if (this.d().incidents.has(row.id)) throw new Error(`duplicate incident id ${row.id}`);
    this.assertOneOpen(row);
    this.d().incidents.set(row.id, { ...copy(row), nextSeq: 1 });
    if (row.trunkId !== null) this.d().incidentTrunks.set(row.id, [{ trunkId: row.trunkId, at: row.openedAt }]);
  }
  async updateIncident(id: string, patch: IncidentPatch) {
    const current = this.d().incidents.get(id);
    if (!current) return;
    const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
    const next = { ...current, ...copy(defined) };
    this.assertOneOpen(next);
    this.d().incidents.set(id, next);
  }

  async enqueueDelivery(entry: { incidentId: string; operation: OutboxOperation; payload: Record<string, unknown>; at: number }) {
    const incident = this.d().incidents.get(entry.incidentId);
    if (!incident) throw new Error(`no incident ${entry.incidentId} to queue a delivery for`);
    const id = ++this.d().ids.outbox;
    this.d().outbox.set(id, {
      id, incidentId: entry.incidentId, seq: incident.nextSeq++, operation: entry.operation, payload: copy(entry.payload),
      createdAt: entry.at, attempts: 0, nextAttemptAt: entry.at, lastError: null, claimedBy: null, claimedUntil: null, inDoubt: false,
    });
    return id;
  }
  async claimDeliveries(options: { owner: string; now: number; leaseMs: number; limit: number }): Promise<ClaimedDelivery[]> {
    const due = [...this.d().outbox.values()]
      .filter((o) => o.nextAttemptAt <= options.now && (o.claimedUntil === null || o.claimedUntil <= options.now) && this.isHead(o))
      .sort((a, b) => a.nextAttemptAt - b.nextAttemptAt || a.id - b.id)
      .slice(0, options.limit);
    return due.map((o) => {
      const before = o.inDoubt;
      Object.assign(o, { claimedBy: options.owner, claimedUntil: options.now + options.leaseMs, inDoubt: true });
      return { ...copy(o), inDoubt: before, incident: this.plain(this.d().incidents.get(o.incidentId)!) };
    });
  }
  async completeDelivery(id: number, owner: string) {
    const o = this.d().outbox.get(id);
    if (!o || o.claimedBy !== owner) return false;
    return this.d().outbox.delete(id);
  }
  async retryDelivery(id: number, owner: string, retry: { nextAttemptAt: number; error: string; inDoubt: boolean }) {
    const o = this.d().outbox.get(id);
    if (!o || o.claimedBy !== owner) return false;
    Object.assign(o, { attempts: o.attempts + 1, nextAttemptAt: retry.nextAttemptAt, lastError: retry.error, inDoubt: retry.inDoubt, claimedBy: null, claimedUntil: null });
    return true;
  }
  async nextDeliveryDueAt() {
    const times = [...this.d().outbox.values()].flatMap((o) => (o.claimedBy !== null ? [o.claimedUntil!] : this.isHead(o) ? [o.nextAttemptAt] : []));
    return times.length > 0 ? Math.min(...times) : null;
  }
  async outboxDepth() {
    return this.d().outbox.size;
  }
  async listStuckDeliveries(cutoff: number): Promise<StuckDelivery[]> {
    return [...this.d().outbox.values()]
      .filter((o) => o.createdAt <= cutoff && this.isHead(o))
      .sort((a, b) => a.createdAt - b.createdAt)
      .map((o) => {
        const i = this.d().incidents.get(o.incidentId)!;
        return { incidentId: i.id, correlationId: i.correlationId, trunkId: i.trunkId, kind: i.kind, operation: o.operation, waitingSince: o.createdAt, attempts: o.attempts, lastError: o.lastError };
      });
  }

  async addAudit(entry: AuditEntry) {
    this.d().audit.push({ ...copy(entry), id: ++this.d().ids.audit });
  }
  async listAudit(options: { subject?: string; incidentId?: string; limit: number }) {
    const rows = this.d().audit.filter((a) => (options.subject === undefined || a.subject === options.subject) && (options.incidentId === undefined || a.incidentId === options.incidentId));
    return copy(rows.sort((a, b) => b.id - a.id).slice(0, options.limit));
  }

  async listAlerts() {
    return copy([...this.d().alerts.values()].sort((a, b) => a.raisedAt - b.raisedAt || a.key.localeCompare(b.key)));
  }
  async raiseAlert(row: AlertRow) {
    if (this.d().alerts.has(row.key)) return false;
    this.d().alerts.set(row.key, copy(row));
    return true;
  }
  async updateAlert(key: string, patch: Partial<Omit<AlertRow, 'key'>>) {
    const a = this.d().alerts.get(key);
    if (a) Object.assign(a, Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)));
  }
  async deleteAlert(key: string) {
    this.d().alerts.delete(key);
    this.d().alertClaims.delete(key);
  }
  async claimAlerts(options: { keys: string[]; purpose: AlertPurpose; owner: string; now: number; leaseMs: number }) {
    const needs = (a: AlertRow) =>
      options.purpose === 'raise' ? a.raiseSentAt === null && a.clearedAt === null : options.purpose === 'recover' ? a.raiseSentAt !== null && a.clearedAt !== null : a.raiseSentAt === null && a.clearedAt !== null;
    const taken: string[] = [];
    for (const key of options.keys) {
      const alert = this.d().alerts.get(key);
      const claim = this.d().alertClaims.get(key);
      if (!alert || !needs(alert) || (claim && claim.until > options.now && claim.owner !== options.owner)) continue;
      this.d().alertClaims.set(key, { owner: options.owner, until: options.now + options.leaseMs });
      taken.push(key);
    }
    return taken;
  }
  async releaseAlerts(keys: string[], owner: string) {
    for (const key of keys) if (this.d().alertClaims.get(key)?.owner === owner) this.d().alertClaims.delete(key);
  }
  async prune(before: number) {
    const d = this.d();
    d.events = d.events.filter((e) => e.at >= before);
    d.audit = d.audit.filter((a) => a.at >= before);
    for (const [id, at] of d.processed) if (at < before) d.processed.delete(id);
  }
}

/** An in-memory Store with the same contract as SqliteStore (transactions roll back on error). */
export class FakeStore implements Store {
  readonly kind = 'fake' as const;
  private data = emptyData();
  private groupStart = this.data;
  private savepointAt = this.data;
  private readonly gate = new SerialGate({
    begin: () => void (this.groupStart = structuredClone(this.data)),
    commit: () => undefined,
    rollback: () => void (this.data = this.groupStart),
    savepoint: () => void (this.savepointAt = structuredClone(this.data)),
    release: () => undefined,
    rollbackToSavepoint: () => void (this.data = this.savepointAt),
  });
  private readonly ops = new FakeOps(() => this.data);
  private readonly gated = wrapOps(this.ops, (call) => this.gate.run(call));
  private readonly newHandle = transactionHandles(this.ops);
  /** Set to make every call fail (readiness and failure-path tests). */
  failWith: Error | null = null;

  transaction<T>(fn: (tx: StoreOps) => Promise<T>): Promise<T> {
    if (this.failWith) return Promise.reject(this.failWith);
    return this.gate.transaction(async () => {
      const { handle, end } = this.newHandle();
      try {
        return await fn(handle);
      } finally {
        end();
      }
    });
  }

  async ping(): Promise<void> {
    if (this.failWith) throw this.failWith;
  }

  async close(): Promise<void> {}

  private call<K extends keyof StoreOps>(name: K): StoreOps[K] {
    return ((...args: unknown[]) => (this.failWith ? Promise.reject(this.failWith) : (this.gated[name] as (...a: unknown[]) => Promise<unknown>)(...args))) as StoreOps[K];
  }

  getTrunk = this.call('getTrunk');
  listTrunks = this.call('listTrunks');
  listTrunksDueToOpen = this.call('listTrunksDueToOpen');
  listTrunksOfBase = this.call('listTrunksOfBase');
  upsertTrunk = this.call('upsertTrunk');
  addTrunkEvent = this.call('addTrunkEvent');
  listTrunkEvents = this.call('listTrunkEvents');
  markEventProcessed = this.call('markEventProcessed');
  getIncident = this.call('getIncident');
  getOpenIncident = this.call('getOpenIncident');
  getLatestIncident = this.call('getLatestIncident');
  listOpenIncidents = this.call('listOpenIncidents');
  listIncidents = this.call('listIncidents');
  listIncidentTrunks = this.call('listIncidentTrunks');
  addIncidentTrunks = this.call('addIncidentTrunks');
  insertIncident = this.call('insertIncident');
  updateIncident = this.call('updateIncident');
  enqueueDelivery = this.call('enqueueDelivery');
  claimDeliveries = this.call('claimDeliveries');
  completeDelivery = this.call('completeDelivery');
  retryDelivery = this.call('retryDelivery');
  nextDeliveryDueAt = this.call('nextDeliveryDueAt');
  outboxDepth = this.call('outboxDepth');
  listStuckDeliveries = this.call('listStuckDeliveries');
  addAudit = this.call('addAudit');
  listAudit = this.call('listAudit');
  listAlerts = this.call('listAlerts');
  raiseAlert = this.call('raiseAlert');
  updateAlert = this.call('updateAlert');
  deleteAlert = this.call('deleteAlert');
  claimAlerts = this.call('claimAlerts');
  releaseAlerts = this.call('releaseAlerts');
  prune = this.call('prune');
}
