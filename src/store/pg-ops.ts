import {
  alertFromRow,
  auditFromRow,
  claimedFromRow,
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
import { claimAlertsSql, claimOutboxSql, listAuditSql, listIncidentsSql, selectTrunksOfIncidentsSql, lockClause, releaseAlertsSql, sql, updateAlertSql, updateIncidentSql } from './sql/statements.js';
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

export type PgRow = Record<string, unknown>;

/** Where PgOps sends its SQL: the pool (each call on its own) or one transaction's connection. */
export interface PgSession {
  readonly inTransaction: boolean;
  /** Runs one statement (`?` placeholders). */
  query(text: string, params?: unknown[]): Promise<{ rows: PgRow[]; rowCount: number }>;
  /** Runs `fn` atomically: inside the open transaction, or in a transaction of its own. */
  atomic<T>(fn: (s: PgSession) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` so that a statement failing inside it leaves the open transaction usable (a savepoint),
   * as SQLite's statement-level rollback does; PostgreSQL would otherwise abort the whole transaction.
   */
  guarded<T>(fn: () => Promise<T>): Promise<T>;
  /** Holds `key` until the open transaction ends (advisory lock); nothing outside a transaction. */
  lockKey(key: string): Promise<void>;
}

const FOR_CLAIM = ' FOR UPDATE OF o SKIP LOCKED';

/**
 * The store's data operations in PostgreSQL. The SQL is the shared text of `sql/statements.ts`; what
 * PostgreSQL adds is locking, because other replicas write the same tables at the same time:
 * - a `forUpdate` read inside a transaction also takes an advisory lock on the trunk or correlation
 *   id, so reviews of one subject are serialised across replicas even before its row exists (a
 *   row lock cannot lock a row that is not there: two replicas could both "reopen" one incident);
 * - claiming deliveries skips rows another relay is claiming (`FOR UPDATE OF o SKIP LOCKED`).
 */
export class PgOps implements StoreOps {
  constructor(private readonly s: PgSession) {}

  private async one(text: string, params: unknown[] = []): Promise<PgRow | undefined> {
    return (await this.s.query(text, params)).rows[0];
  }

  private async all(text: string, params: unknown[] = []): Promise<PgRow[]> {
    return (await this.s.query(text, params)).rows;
  }

  private async run(text: string, params: unknown[] = []): Promise<number> {
    return (await this.s.query(text, params)).rowCount;
  }

  /** `forUpdate` inside a transaction: serialise on `key`, then read the row locked. */
  private async lockFor(key: string, options?: { forUpdate?: boolean }): Promise<string> {
    if (!options?.forUpdate || !this.s.inTransaction) return '';
    await this.s.lockKey(key);
    return lockClause('postgres');
  }

  async getTrunk(trunkId: string, options?: { forUpdate?: boolean }): Promise<TrunkRow | null> {
    const lock = await this.lockFor(`trunk:${trunkId}`, options);
    const r = await this.one(sql.selectTrunk + lock, [trunkId]);
    return r ? trunkFromRow(r) : null;
  }

  async listTrunks(): Promise<TrunkRow[]> {
    return (await this.all(sql.selectTrunks)).map(trunkFromRow);
  }

  async listTrunksDueToOpen(cutoff: number): Promise<TrunkRow[]> {
    return (await this.all(sql.selectTrunksDueToOpen, [cutoff])).map(trunkFromRow);
  }

  async listTrunksOfBase(trunkBaseId: string): Promise<TrunkRow[]> {
    return (await this.all(sql.selectTrunksOfBase, [trunkBaseId])).map(trunkFromRow);
  }

  async upsertTrunk(row: TrunkRow): Promise<void> {
    await this.run(sql.upsertTrunk, trunkParams(row));
  }

  async addTrunkEvent(event: Omit<TrunkEventRow, 'id'>): Promise<void> {
    await this.run(sql.insertTrunkEvent, trunkEventParams(event));
  }

  async listTrunkEvents(trunkId: string, options: { limit: number; afterAt?: number }): Promise<TrunkEventRow[]> {
    return (await this.all(sql.selectTrunkEvents, [trunkId, options.afterAt ?? Number.MIN_SAFE_INTEGER, options.limit])).map(trunkEventFromRow);
  }

  async markEventProcessed(eventId: string, at: number): Promise<boolean> {
    return (await this.run(sql.insertProcessedEvent, [eventId, at])) === 1;
  }

  async getIncident(id: string): Promise<IncidentRow | null> {
    const r = await this.one(sql.selectIncident, [id]);
    return r ? incidentFromRow(r) : null;
  }

  async getOpenIncident(correlationId: string, options?: { forUpdate?: boolean }): Promise<IncidentRow | null> {
    const lock = await this.lockFor(`incident:${correlationId}`, options);
    const r = await this.one(sql.selectOpenIncident + lock, [correlationId]);
    return r ? incidentFromRow(r) : null;
  }

  async getLatestIncident(correlationId: string): Promise<IncidentRow | null> {
    const r = await this.one(sql.selectLatestIncident, [correlationId]);
    return r ? incidentFromRow(r) : null;
  }

  async listOpenIncidents(): Promise<IncidentRow[]> {
    return (await this.all(sql.selectOpenIncidents)).map(incidentFromRow);
  }

  async listIncidents(options: { open?: boolean; trunkId?: string; limit: number }): Promise<IncidentSummary[]> {
    const q = listIncidentsSql(options);
    const summaries = (await this.all(q.text, [...q.params, options.limit])).map(incidentSummaryFromRow);
    if (summaries.length === 0) return summaries;
    return withTrunkIds(summaries, await this.all(selectTrunksOfIncidentsSql(summaries.length), summaries.map((s) => s.id)));
  }

  async listIncidentTrunks(incidentId: string): Promise<string[]> {
    return (await this.all(sql.selectIncidentTrunks, [incidentId])).map((r) => String(r.trunk_id));
  }

  async addIncidentTrunks(incidentId: string, trunkIds: readonly string[], at: number): Promise<void> {
    for (const trunkId of trunkIds) await this.run(sql.insertIncidentTrunk, [incidentId, trunkId, at]);
  }

  async insertIncident(row: IncidentRow): Promise<void> {
    const insert = () => this.run(sql.insertIncident, incidentParams(row));
    try {
      // Only an open row can meet the unique index.
      await (row.open ? this.s.guarded(insert) : insert());
    } catch (err) {
      if (isOpenIncidentConflict(err)) throw new OpenIncidentConflictError(row.correlationId);
      throw err;
    }
    // An incident always concerns its first trunk.
    if (row.trunkId !== null) await this.run(sql.insertIncidentTrunk, [row.id, row.trunkId, row.openedAt]);
  }

  async updateIncident(id: string, patch: IncidentPatch): Promise<void> {
    const q = updateIncidentSql(id, patch);
    if (!q) return;
    const update = () => this.run(q.text, q.params);
    try {
      await (patch.open === true ? this.s.guarded(update) : update());
    } catch (err) {
      if (!isOpenIncidentConflict(err)) throw err;
      throw new OpenIncidentConflictError(String((await this.one(sql.selectIncident, [id]))?.correlation_id ?? id));
    }
  }

  async enqueueDelivery(entry: { incidentId: string; operation: OutboxOperation; payload: Record<string, unknown>; at: number }): Promise<number> {
    // Atomic: the sequence bump locks the incident row until the entry is committed, so a relay never
    // sees seq n+1 without seq n (which it would then deliver first).
    return this.s.atomic(async (s) => {
      const bumped = (await s.query(sql.bumpIncidentSeq, [entry.incidentId])).rows[0];
      if (!bumped) throw new Error(`no incident ${entry.incidentId} to queue a delivery for`);
      const seq = Number(bumped.next_seq) - 1;
      const inserted = (await s.query(sql.insertOutbox, [entry.incidentId, seq, entry.operation, JSON.stringify(entry.payload), entry.at, entry.at])).rows[0]!;
      return Number(inserted.id);
    });
  }

  async claimDeliveries(options: { owner: string; now: number; leaseMs: number; limit: number }): Promise<ClaimedDelivery[]> {
    return this.s.atomic(async (s) => {
      const until = options.now + options.leaseMs;
      // Rows another relay is claiming right now are skipped, not waited for; once it commits, their
      // lease excludes them. An incident's later entries stay behind its head while the head exists.
      const rows = (await s.query(sql.selectClaimable + FOR_CLAIM, [options.now, options.now, options.limit])).rows;
      const claimed = rows.map((r) => ({ ...claimedFromRow(r), claimedBy: options.owner, claimedUntil: until }));
      if (claimed.length > 0) await s.query(claimOutboxSql(claimed.length), [options.owner, until, ...claimed.map((c) => c.id)]);
      return claimed;
    });
  }

  async completeDelivery(id: number, owner: string): Promise<boolean> {
    return (await this.run(sql.deleteOutbox, [id, owner])) === 1;
  }

  async retryDelivery(id: number, owner: string, retry: { nextAttemptAt: number; error: string; inDoubt: boolean }): Promise<boolean> {
    return (await this.run(sql.retryOutbox, [retry.nextAttemptAt, retry.error, retry.inDoubt ? 1 : 0, id, owner])) === 1;
  }

  async nextDeliveryDueAt(): Promise<number | null> {
    const [unclaimed, lease] = [await this.one(sql.selectNextUnclaimedDue), await this.one(sql.selectNextLeaseExpiry)];
    const due = [unclaimed?.due, lease?.due].filter((v) => v !== null && v !== undefined).map(Number);
    return due.length > 0 ? Math.min(...due) : null;
  }

  async outboxDepth(): Promise<number> {
    return Number((await this.one(sql.countOutbox))!.n);
  }

  async listStuckDeliveries(cutoff: number): Promise<StuckDelivery[]> {
    return (await this.all(sql.selectStuck, [cutoff])).map(stuckFromRow);
  }

  async addAudit(entry: AuditEntry): Promise<void> {
    await this.run(sql.insertAudit, [entry.at, entry.subject, entry.incidentId, entry.step, entry.message, entry.data === null ? null : JSON.stringify(entry.data)]);
  }

  async listAudit(options: { subject?: string; incidentId?: string; limit: number }): Promise<AuditRow[]> {
    const q = listAuditSql(options);
    return (await this.all(q.text, [...q.params, options.limit])).map(auditFromRow);
  }

  async listAlerts(): Promise<AlertRow[]> {
    return (await this.all(sql.selectAlerts)).map(alertFromRow);
  }

  async raiseAlert(row: AlertRow): Promise<boolean> {
    return (await this.run(sql.insertAlert, [row.key, row.summary, row.raisedAt, row.raiseSentAt, row.clearedAt])) === 1;
  }

  async updateAlert(key: string, patch: Partial<Omit<AlertRow, 'key'>>): Promise<void> {
    const q = updateAlertSql(key, patch);
    if (q) await this.run(q.text, q.params);
  }

  async deleteAlert(key: string): Promise<void> {
    await this.run(sql.deleteAlert, [key]);
  }

  async claimAlerts(options: { keys: string[]; purpose: AlertPurpose; owner: string; now: number; leaseMs: number }): Promise<string[]> {
    if (options.keys.length === 0) return [];
    const { owner, now } = options;
    // A replica claiming the same row at once waits for this UPDATE, then finds the row held: not taken.
    return (await this.all(claimAlertsSql(options.purpose, options.keys.length), [owner, now + options.leaseMs, ...options.keys, now, owner])).map((r) => String(r.alert_key));
  }

  async releaseAlerts(keys: string[], owner: string): Promise<void> {
    if (keys.length > 0) await this.run(releaseAlertsSql(keys.length), [...keys, owner]);
  }

  async prune(before: number): Promise<void> {
    await this.s.atomic(async (s) => {
      await s.query(sql.pruneTrunkEvents, [before]);
      await s.query(sql.pruneAudit, [before]);
      await s.query(sql.pruneProcessedEvents, [before]);
    });
  }
}
