import { all, num, numOrNull, one, placeholders, run, strOrNull, type SqlRow, type SqlSession } from '../store/sql-session.js';
import type { IncidentKind } from './incident-store.js';
import { incidentFromRow, INCIDENT_COLUMNS } from './sql-incident-store.js';
import type { ClaimedDelivery, OutboxEntry, OutboxOperation, OutboxStore, StuckDelivery } from './outbox-store.js';

const OUTBOX_COLUMNS =
  'id, incident_id, seq, operation, payload, created_at, attempts, next_attempt_at, last_error, claimed_by, claimed_until, in_doubt';
/** An earlier undelivered entry of the same incident holds this one back (per-incident order). */
const IS_HEAD = 'NOT EXISTS (SELECT 1 FROM outbox p WHERE p.incident_id = o.incident_id AND p.seq < o.seq)';

const SQL = {
  bumpIncidentSeq: 'UPDATE incidents SET next_seq = next_seq + 1 WHERE id = ? RETURNING next_seq',
  insertOutbox:
    'INSERT INTO outbox (incident_id, seq, operation, payload, created_at, attempts, next_attempt_at) VALUES (?, ?, ?, ?, ?, 0, ?) RETURNING id',
  /** Claimable entries with their incident (incident columns prefixed `i_`). */
  selectClaimable: `SELECT ${OUTBOX_COLUMNS.split(', ')
    .map((c) => `o.${c}`)
    .join(', ')}, ${INCIDENT_COLUMNS.split(', ')
    .map((c) => `i.${c} AS i_${c}`)
    .join(', ')}
    FROM outbox o JOIN incidents i ON i.id = o.incident_id
    WHERE o.next_attempt_at <= ? AND (o.claimed_until IS NULL OR o.claimed_until <= ?) AND ${IS_HEAD}`,
  claimableOrder: ' ORDER BY o.next_attempt_at, o.id LIMIT ?',
  deleteOutbox: 'DELETE FROM outbox WHERE id = ? AND claimed_by = ?',
  retryOutbox:
    'UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?, in_doubt = ?, claimed_by = NULL, claimed_until = NULL WHERE id = ? AND claimed_by = ?',
  selectNextUnclaimedDue: `SELECT MIN(o.next_attempt_at) AS due FROM outbox o WHERE o.claimed_by IS NULL AND ${IS_HEAD}`,
  selectNextLeaseExpiry: 'SELECT MIN(o.claimed_until) AS due FROM outbox o WHERE o.claimed_by IS NOT NULL',
  /** Appended to a query on `outbox o`: only the entries of incidents delivered to one ServiceNow instance. */
  ofInstance: ' AND EXISTS (SELECT 1 FROM incidents i2 WHERE i2.id = o.incident_id AND i2.servicenow_instance = ?)',
  countOutbox: 'SELECT COUNT(*) AS n FROM outbox',
  selectStuck: `SELECT i.id, i.correlation_id, i.trunk_id, i.kind, o.operation, o.created_at, o.attempts, o.last_error
    FROM outbox o JOIN incidents i ON i.id = o.incident_id
    WHERE o.created_at <= ? AND ${IS_HEAD}
    ORDER BY o.created_at`,
} as const;

/**
 * Only for a database one process holds alone (SQLite, locked exclusively): at start-up, the leases a
 * killed process left behind are released at once instead of after their expiry.
 */
export const RELEASE_ALL_CLAIMS = 'UPDATE outbox SET claimed_by = NULL, claimed_until = NULL WHERE claimed_by IS NOT NULL';

/** PostgreSQL: rows another relay is claiming right now are skipped, not waited for. */
const FOR_CLAIM = ' FOR UPDATE OF o SKIP LOCKED';

function outboxFromRow(r: SqlRow): OutboxEntry {
  return {
    id: num(r.id),
    incidentId: String(r.incident_id),
    seq: num(r.seq),
    operation: String(r.operation) as OutboxOperation,
    payload: JSON.parse(String(r.payload)) as Record<string, unknown>,
    createdAt: num(r.created_at),
    attempts: num(r.attempts),
    nextAttemptAt: num(r.next_attempt_at),
    lastError: strOrNull(r.last_error),
    claimedBy: strOrNull(r.claimed_by),
    claimedUntil: numOrNull(r.claimed_until),
    inDoubt: num(r.in_doubt) === 1,
  };
}

/** A claimable row: the outbox columns, and the incident's as `i_<column>`. */
function claimedFromRow(r: SqlRow): Omit<ClaimedDelivery, 'claimedBy' | 'claimedUntil'> {
  const incident: SqlRow = {};
  for (const column of INCIDENT_COLUMNS.split(', ')) incident[column] = r[`i_${column}`];
  return { ...outboxFromRow(r), incident: incidentFromRow(incident) };
}

function stuckFromRow(r: SqlRow): StuckDelivery {
  return {
    incidentId: String(r.id),
    correlationId: String(r.correlation_id),
    trunkId: strOrNull(r.trunk_id),
    kind: String(r.kind) as IncidentKind,
    operation: String(r.operation) as OutboxOperation,
    waitingSince: num(r.created_at),
    attempts: num(r.attempts),
    lastError: strOrNull(r.last_error),
  };
}

/** The outbox in SQL, one text for SQLite and PostgreSQL. */
export class SqlOutboxStore implements OutboxStore {
  constructor(private readonly s: SqlSession) {}

  enqueueDelivery(entry: {
    incidentId: string;
    operation: OutboxOperation;
    payload: Record<string, unknown>;
    at: number;
  }): Promise<number> {
    // Atomic: the sequence bump locks the incident row until the entry is committed, so a relay never
    // sees seq n+1 without seq n (which it would then deliver first).
    return this.s.atomic(async (s) => {
      const bumped = await one(s, SQL.bumpIncidentSeq, [entry.incidentId]);
      if (!bumped) throw new Error(`no incident ${entry.incidentId} to queue a delivery for`);
      const seq = num(bumped.next_seq) - 1;
      const inserted = await one(s, SQL.insertOutbox, [
        entry.incidentId,
        seq,
        entry.operation,
        JSON.stringify(entry.payload),
        entry.at,
        entry.at,
      ]);
      return num(inserted!.id);
    });
  }

  claimDeliveries(options: { owner: string; now: number; leaseMs: number; limit: number; instance?: string }): Promise<ClaimedDelivery[]> {
    return this.s.atomic(async (s) => {
      const until = options.now + options.leaseMs;
      // An incident's later entries stay behind its head while the head exists; on PostgreSQL, rows
      // another relay is claiming are skipped, and once it commits their lease excludes them.
      const ofInstance = options.instance === undefined ? '' : ' AND i.servicenow_instance = ?';
      const text = SQL.selectClaimable + ofInstance + SQL.claimableOrder + (s.dialect === 'postgres' ? FOR_CLAIM : '');
      const rows = await all(s, text, [
        options.now,
        options.now,
        ...(options.instance === undefined ? [] : [options.instance]),
        options.limit,
      ]);
      const claimed = rows.map((r) => ({ ...claimedFromRow(r), claimedBy: options.owner, claimedUntil: until }));
      // A claimed entry is in doubt until its attempt is recorded: a claim that ends in a crash or an
      // expired lease leaves it so (the value handed out is the one from before this claim).
      if (claimed.length > 0)
        await run(s, `UPDATE outbox SET claimed_by = ?, claimed_until = ?, in_doubt = 1 WHERE id IN (${placeholders(claimed.length)})`, [
          options.owner,
          until,
          ...claimed.map((c) => c.id),
        ]);
      return claimed;
    });
  }

  async completeDelivery(id: number, owner: string): Promise<boolean> {
    return (await run(this.s, SQL.deleteOutbox, [id, owner])) === 1;
  }

  async retryDelivery(id: number, owner: string, retry: { nextAttemptAt: number; error: string; inDoubt: boolean }): Promise<boolean> {
    return (await run(this.s, SQL.retryOutbox, [retry.nextAttemptAt, retry.error, retry.inDoubt ? 1 : 0, id, owner])) === 1;
  }

  async nextDeliveryDueAt(options: { instance?: string } = {}): Promise<number | null> {
    const [filter, params] = options.instance === undefined ? ['', []] : [SQL.ofInstance, [options.instance]];
    const [unclaimed, lease] = [
      await one(this.s, SQL.selectNextUnclaimedDue + filter, params),
      await one(this.s, SQL.selectNextLeaseExpiry + filter, params),
    ];
    const due = [unclaimed?.due, lease?.due].filter((v) => v !== null && v !== undefined).map(Number);
    return due.length > 0 ? Math.min(...due) : null;
  }

  async outboxDepth(): Promise<number> {
    return num((await one(this.s, SQL.countOutbox))!.n);
  }

  async listStuckDeliveries(cutoff: number): Promise<StuckDelivery[]> {
    return (await all(this.s, SQL.selectStuck, [cutoff])).map(stuckFromRow);
  }
}
