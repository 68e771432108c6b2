import type { Database, Statement } from 'better-sqlite3';
import {
  alertFromRow,
  claimedFromRow,
  auditFromRow,
  incidentFromRow,
  incidentParams,
  incidentSummaryFromRow,
  isOpenIncidentConflict,
  stuckFromRow,
  trunkEventFromRow,
  trunkEventParams,
  trunkFromRow,
  trunkParams,
  withTrunkIds,
} from './sql/rows.js';
import { claimAlertsSql, claimOutboxSql, listAuditSql, listIncidentsSql, selectTrunksOfIncidentsSql, releaseAlertsSql, sql, updateAlertSql, updateIncidentSql } from './sql/statements.js';
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
  type OutboxOperation,
  type StoreOps,
  type StuckDelivery,
  type TrunkEventRow,
  type TrunkRow,
} from './store.js';

type Row = Record<string, unknown>;

/**
 * The store's data operations on one better-sqlite3 connection. Each runs synchronously (the
 * driver is synchronous) and returns a settled promise, so the store interface stays async.
 */
export class SqliteOps implements StoreOps {
  private readonly cache = new Map<string, Statement>();
  // Multi-statement operations, atomic on their own and nested (as savepoints) inside a transaction.
  private readonly enqueueTx: (entry: { incidentId: string; operation: OutboxOperation; payload: Record<string, unknown>; at: number }) => number;
  private readonly claimTx: (options: { owner: string; now: number; leaseMs: number; limit: number }) => ClaimedDelivery[];
  private readonly pruneTx: (before: number) => void;

  constructor(private readonly db: Database) {
    // Two statements without a savepoint of their own: interrupted between them, the entry is simply
    // not queued and the sequence has a gap, which ordering does not mind.
    this.enqueueTx = (entry) => {
      const bumped = this.get(sql.bumpIncidentSeq, [entry.incidentId]);
      if (!bumped) throw new Error(`no incident ${entry.incidentId} to queue a delivery for`);
      const seq = Number(bumped.next_seq) - 1;
      const inserted = this.get(sql.insertOutbox, [entry.incidentId, seq, entry.operation, JSON.stringify(entry.payload), entry.at, entry.at]);
      return Number(inserted!.id);
    };
    this.claimTx = db.transaction((options) => {
      const until = options.now + options.leaseMs;
      const claimed = this.all(sql.selectClaimable, [options.now, options.now, options.limit]).map((r) => ({ ...claimedFromRow(r), claimedBy: options.owner, claimedUntil: until }));
      if (claimed.length > 0) this.run(claimOutboxSql(claimed.length), [options.owner, until, ...claimed.map((c) => c.id)]);
      return claimed;
    });
    this.pruneTx = db.transaction((before) => {
      this.run(sql.pruneTrunkEvents, [before]);
      this.run(sql.pruneAudit, [before]);
      this.run(sql.pruneProcessedEvents, [before]);
    });
  }

  private stmt(text: string): Statement {
    let s = this.cache.get(text);
    if (!s) {
      s = this.db.prepare(text);
      this.cache.set(text, s);
    }
    return s;
  }

  private all(text: string, params: unknown[] = []): Row[] {
    return this.stmt(text).all(...params) as Row[];
  }

  private get(text: string, params: unknown[] = []): Row | undefined {
    return this.stmt(text).get(...params) as Row | undefined;
  }

  private run(text: string, params: unknown[] = []): number {
    return this.stmt(text).run(...params).changes;
  }

  async getTrunk(trunkId: string): Promise<TrunkRow | null> {
    const r = this.get(sql.selectTrunk, [trunkId]);
    return r ? trunkFromRow(r) : null;
  }

  async listTrunks(): Promise<TrunkRow[]> {
    return this.all(sql.selectTrunks).map(trunkFromRow);
  }

  async listTrunksDueToOpen(cutoff: number): Promise<TrunkRow[]> {
    return this.all(sql.selectTrunksDueToOpen, [cutoff]).map(trunkFromRow);
  }

  async listTrunksOfBase(trunkBaseId: string): Promise<TrunkRow[]> {
    return this.all(sql.selectTrunksOfBase, [trunkBaseId]).map(trunkFromRow);
  }

  async upsertTrunk(row: TrunkRow): Promise<void> {
    this.run(sql.upsertTrunk, trunkParams(row));
  }

  async addTrunkEvent(event: Omit<TrunkEventRow, 'id'>): Promise<void> {
    this.run(sql.insertTrunkEvent, trunkEventParams(event));
  }

  async listTrunkEvents(trunkId: string, options: { limit: number; afterAt?: number }): Promise<TrunkEventRow[]> {
    return this.all(sql.selectTrunkEvents, [trunkId, options.afterAt ?? Number.MIN_SAFE_INTEGER, options.limit]).map(trunkEventFromRow);
  }

  async markEventProcessed(eventId: string, at: number): Promise<boolean> {
    return this.run(sql.insertProcessedEvent, [eventId, at]) === 1;
  }

  async getIncident(id: string): Promise<IncidentRow | null> {
    const r = this.get(sql.selectIncident, [id]);
    return r ? incidentFromRow(r) : null;
  }

  async getOpenIncident(correlationId: string): Promise<IncidentRow | null> {
    const r = this.get(sql.selectOpenIncident, [correlationId]);
    return r ? incidentFromRow(r) : null;
  }

  async getLatestIncident(correlationId: string): Promise<IncidentRow | null> {
    const r = this.get(sql.selectLatestIncident, [correlationId]);
    return r ? incidentFromRow(r) : null;
  }

  async listOpenIncidents(): Promise<IncidentRow[]> {
    return this.all(sql.selectOpenIncidents).map(incidentFromRow);
  }

  async listIncidents(options: { open?: boolean; trunkId?: string; limit: number }): Promise<IncidentSummary[]> {
    const q = listIncidentsSql(options);
    const summaries = this.all(q.text, [...q.params, options.limit]).map(incidentSummaryFromRow);
    if (summaries.length === 0) return summaries;
    return withTrunkIds(summaries, this.all(selectTrunksOfIncidentsSql(summaries.length), summaries.map((s) => s.id)));
  }

  async listIncidentTrunks(incidentId: string): Promise<string[]> {
    return this.all(sql.selectIncidentTrunks, [incidentId]).map((r) => String(r.trunk_id));
  }

  async addIncidentTrunks(incidentId: string, trunkIds: readonly string[], at: number): Promise<void> {
    for (const trunkId of trunkIds) this.run(sql.insertIncidentTrunk, [incidentId, trunkId, at]);
  }

  async insertIncident(row: IncidentRow): Promise<void> {
    try {
      this.run(sql.insertIncident, incidentParams(row));
    } catch (err) {
      if (isOpenIncidentConflict(err)) throw new OpenIncidentConflictError(row.correlationId);
      throw err;
    }
    // An incident always concerns its first trunk.
    if (row.trunkId !== null) this.run(sql.insertIncidentTrunk, [row.id, row.trunkId, row.openedAt]);
  }

  async updateIncident(id: string, patch: IncidentPatch): Promise<void> {
    const q = updateIncidentSql(id, patch);
    if (!q) return;
    try {
      this.run(q.text, q.params);
    } catch (err) {
      if (isOpenIncidentConflict(err)) throw new OpenIncidentConflictError(String(this.get(sql.selectIncident, [id])?.correlation_id ?? id));
      throw err;
    }
  }

  async enqueueDelivery(entry: { incidentId: string; operation: OutboxOperation; payload: Record<string, unknown>; at: number }): Promise<number> {
    return this.enqueueTx(entry);
  }

  async claimDeliveries(options: { owner: string; now: number; leaseMs: number; limit: number }): Promise<ClaimedDelivery[]> {
    return this.claimTx(options);
  }

  async completeDelivery(id: number, owner: string): Promise<boolean> {
    return this.run(sql.deleteOutbox, [id, owner]) === 1;
  }

  async retryDelivery(id: number, owner: string, retry: { nextAttemptAt: number; error: string; inDoubt: boolean }): Promise<boolean> {
    return this.run(sql.retryOutbox, [retry.nextAttemptAt, retry.error, retry.inDoubt ? 1 : 0, id, owner]) === 1;
  }

  async nextDeliveryDueAt(): Promise<number | null> {
    const due = [this.get(sql.selectNextUnclaimedDue)?.due, this.get(sql.selectNextLeaseExpiry)?.due].filter((v) => v !== null && v !== undefined).map(Number);
    return due.length > 0 ? Math.min(...due) : null;
  }

  async outboxDepth(): Promise<number> {
    return Number(this.get(sql.countOutbox)!.n);
  }

  async listStuckDeliveries(cutoff: number): Promise<StuckDelivery[]> {
    return this.all(sql.selectStuck, [cutoff]).map(stuckFromRow);
  }

  async addAudit(entry: AuditEntry): Promise<void> {
    this.run(sql.insertAudit, [entry.at, entry.subject, entry.incidentId, entry.step, entry.message, entry.data === null ? null : JSON.stringify(entry.data)]);
  }

  async listAudit(options: { subject?: string; incidentId?: string; limit: number }): Promise<AuditRow[]> {
    const q = listAuditSql(options);
    return this.all(q.text, [...q.params, options.limit]).map(auditFromRow);
  }

  async listAlerts(): Promise<AlertRow[]> {
    return this.all(sql.selectAlerts).map(alertFromRow);
  }

  async raiseAlert(row: AlertRow): Promise<boolean> {
    return this.run(sql.insertAlert, [row.key, row.summary, row.raisedAt, row.raiseSentAt, row.clearedAt]) === 1;
  }

  async updateAlert(key: string, patch: Partial<Omit<AlertRow, 'key'>>): Promise<void> {
    const q = updateAlertSql(key, patch);
    if (q) this.run(q.text, q.params);
  }

  async deleteAlert(key: string): Promise<void> {
    this.run(sql.deleteAlert, [key]);
  }

  async claimAlerts(options: { keys: string[]; purpose: AlertPurpose; owner: string; now: number; leaseMs: number }): Promise<string[]> {
    if (options.keys.length === 0) return [];
    const { owner, now } = options;
    return this.all(claimAlertsSql(options.purpose, options.keys.length), [owner, now + options.leaseMs, ...options.keys, now, owner]).map((r) => String(r.alert_key));
  }

  async releaseAlerts(keys: string[], owner: string): Promise<void> {
    if (keys.length > 0) this.run(releaseAlertsSql(keys.length), [...keys, owner]);
  }

  async prune(before: number): Promise<void> {
    this.pruneTx(before);
  }
}
