import type { AlertPurpose } from '../store.js';

/**
 * Every SQL statement of the store, with `?` placeholders in order. Portable between SQLite and
 * PostgreSQL: a PostgreSQL store numbers the placeholders (`toNumberedParams`) and adds the lock
 * clauses below; nothing else differs.
 */

const TRUNK_COLUMNS =
  'trunk_id, name, edge_id, edge_name, proxy_address, state, since, sip_code, error_text, connected, registered, state_time, source, last_seen_at, failing_since, healthy_since, trunk_base_id, trunk_base_name, signal, health, gone_at';

export const INCIDENT_COLUMNS =
  'id, correlation_id, trunk_id, kind, open, opened_at, resolved_at, reopened_at, reopen_count, sys_id, number, servicenow_state, last_note_at, changes_since_note, next_seq, updated_at, trunk_base_id';

const TRUNK_EVENT_COLUMNS = 'id, trunk_id, at, state, previous_state, sip_code, error_text, proxy_address, source, event_id, signal';

/** The incident's first trunk first, then the others in the order they were added. */
const INCIDENT_TRUNK_ORDER = 'CASE WHEN it.trunk_id = i.trunk_id THEN 0 ELSE 1 END, it.added_at, it.trunk_id';

/** An open incident already concerns the trunk (its own, or its trunk base's once the trunk was added). */
const COVERED_BY_OPEN_INCIDENT = 'EXISTS (SELECT 1 FROM incident_trunks it JOIN incidents i ON i.id = it.incident_id WHERE it.trunk_id = t.trunk_id AND i.open = 1)';

const OUTBOX_COLUMNS = 'id, incident_id, seq, operation, payload, created_at, attempts, next_attempt_at, last_error, claimed_by, claimed_until, in_doubt';

/** An earlier undelivered entry of the same incident holds this one back (per-incident order). */
const IS_HEAD = 'NOT EXISTS (SELECT 1 FROM outbox p WHERE p.incident_id = o.incident_id AND p.seq < o.seq)';

export const sql = {
  selectMigrationVersions: 'SELECT version FROM schema_migrations ORDER BY version',
  insertMigration: 'INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)',
  ping: 'SELECT 1 AS ok',

  selectTrunk: `SELECT ${TRUNK_COLUMNS} FROM trunks WHERE trunk_id = ?`,
  // COALESCE: SQLite sorts NULL first, PostgreSQL last; a trunk without a name comes first in both.
  selectTrunks: `SELECT ${TRUNK_COLUMNS} FROM trunks ORDER BY COALESCE(name, ''), trunk_id`,
  // The failing states are the rule's ('rejected', 'dropped'); kept literal so an index can serve it.
  selectTrunksDueToOpen: `SELECT ${TRUNK_COLUMNS} FROM trunks t
    WHERE t.state IN ('rejected', 'dropped') AND t.failing_since IS NOT NULL AND t.failing_since <= ? AND t.gone_at IS NULL
      AND NOT ${COVERED_BY_OPEN_INCIDENT}
    ORDER BY t.failing_since`,
  selectTrunksOfBase: `SELECT ${TRUNK_COLUMNS} FROM trunks WHERE trunk_base_id = ? ORDER BY COALESCE(name, ''), trunk_id`,
  upsertTrunk: `INSERT INTO trunks (${TRUNK_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (trunk_id) DO UPDATE SET
      name = excluded.name, edge_id = excluded.edge_id, edge_name = excluded.edge_name,
      proxy_address = excluded.proxy_address, state = excluded.state, since = excluded.since,
      sip_code = excluded.sip_code, error_text = excluded.error_text, connected = excluded.connected,
      registered = excluded.registered, state_time = excluded.state_time, source = excluded.source,
      last_seen_at = excluded.last_seen_at, failing_since = excluded.failing_since, healthy_since = excluded.healthy_since,
      trunk_base_id = excluded.trunk_base_id, trunk_base_name = excluded.trunk_base_name, signal = excluded.signal,
      health = excluded.health, gone_at = excluded.gone_at`,
  insertTrunkEvent:
    'INSERT INTO trunk_events (trunk_id, at, state, previous_state, sip_code, error_text, proxy_address, source, event_id, signal) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  selectTrunkEvents: `SELECT ${TRUNK_EVENT_COLUMNS} FROM trunk_events WHERE trunk_id = ? AND at > ? ORDER BY id DESC LIMIT ?`,
  insertProcessedEvent: 'INSERT INTO processed_events (event_id, processed_at) VALUES (?, ?) ON CONFLICT (event_id) DO NOTHING',

  selectIncident: `SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE id = ?`,
  selectOpenIncident: `SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE correlation_id = ? AND open = 1`,
  selectLatestIncident: `SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE correlation_id = ? ORDER BY opened_at DESC, id DESC LIMIT 1`,
  selectOpenIncidents: `SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE open = 1 ORDER BY opened_at`,
  insertIncident: `INSERT INTO incidents (${INCIDENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  selectIncidentTrunks: `SELECT it.trunk_id FROM incident_trunks it JOIN incidents i ON i.id = it.incident_id WHERE it.incident_id = ? ORDER BY ${INCIDENT_TRUNK_ORDER}`,
  insertIncidentTrunk: 'INSERT INTO incident_trunks (incident_id, trunk_id, added_at) VALUES (?, ?, ?) ON CONFLICT (incident_id, trunk_id) DO NOTHING',
  bumpIncidentSeq: 'UPDATE incidents SET next_seq = next_seq + 1 WHERE id = ? RETURNING next_seq',

  insertOutbox: 'INSERT INTO outbox (incident_id, seq, operation, payload, created_at, attempts, next_attempt_at) VALUES (?, ?, ?, ?, ?, 0, ?) RETURNING id',
  /**
   * Claimable entries with their incident (incident columns prefixed `i_`). PostgreSQL appends
   * `FOR UPDATE OF o SKIP LOCKED` so several replicas can claim side by side.
   */
  selectClaimable: `SELECT ${OUTBOX_COLUMNS.split(', ').map((c) => `o.${c}`).join(', ')}, ${INCIDENT_COLUMNS.split(', ').map((c) => `i.${c} AS i_${c}`).join(', ')}
    FROM outbox o JOIN incidents i ON i.id = o.incident_id
    WHERE o.next_attempt_at <= ? AND (o.claimed_until IS NULL OR o.claimed_until <= ?) AND ${IS_HEAD}
    ORDER BY o.next_attempt_at, o.id LIMIT ?`,

  selectOutbox: `SELECT ${OUTBOX_COLUMNS} FROM outbox WHERE id = ?`,
  deleteOutbox: 'DELETE FROM outbox WHERE id = ? AND claimed_by = ?',
  retryOutbox:
    'UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?, in_doubt = ?, claimed_by = NULL, claimed_until = NULL WHERE id = ? AND claimed_by = ?',
  /** Only for a store that is the sole user of its database (SQLite, locked exclusively): leases of a dead process. */
  releaseAllClaims: 'UPDATE outbox SET claimed_by = NULL, claimed_until = NULL WHERE claimed_by IS NOT NULL',
  selectNextUnclaimedDue: `SELECT MIN(o.next_attempt_at) AS due FROM outbox o WHERE o.claimed_by IS NULL AND ${IS_HEAD}`,
  selectNextLeaseExpiry: 'SELECT MIN(claimed_until) AS due FROM outbox WHERE claimed_by IS NOT NULL',
  countOutbox: 'SELECT COUNT(*) AS n FROM outbox',
  selectStuck: `SELECT i.id, i.correlation_id, i.trunk_id, i.kind, o.operation, o.created_at, o.attempts, o.last_error
    FROM outbox o JOIN incidents i ON i.id = o.incident_id
    WHERE o.created_at <= ? AND ${IS_HEAD}
    ORDER BY o.created_at`,

  insertAudit: 'INSERT INTO audit_log (at, subject, incident_id, step, message, data) VALUES (?, ?, ?, ?, ?, ?)',

  selectAlerts: 'SELECT alert_key, summary, raised_at, raise_sent_at, cleared_at FROM helpdesk_alerts ORDER BY raised_at, alert_key',
  insertAlert:
    'INSERT INTO helpdesk_alerts (alert_key, summary, raised_at, raise_sent_at, cleared_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (alert_key) DO NOTHING',
  deleteAlert: 'DELETE FROM helpdesk_alerts WHERE alert_key = ?',

  // Rows are appended in time order, so everything below the first id at or after the cutoff is older:
  // the scan stops at that row and no index on `at` is needed.
  pruneTrunkEvents: 'DELETE FROM trunk_events WHERE id < COALESCE((SELECT id FROM trunk_events WHERE at >= ? ORDER BY id LIMIT 1), (SELECT MAX(id) + 1 FROM trunk_events))',
  pruneAudit: 'DELETE FROM audit_log WHERE id < COALESCE((SELECT id FROM audit_log WHERE at >= ? ORDER BY id LIMIT 1), (SELECT MAX(id) + 1 FROM audit_log))',
  pruneProcessedEvents: 'DELETE FROM processed_events WHERE processed_at < ?',
} as const;

/**
 * Leases the given entries (one statement for the whole claimed batch). A claimed entry is in doubt
 * until its attempt is recorded: a claim that ends in a crash or an expired lease leaves it so.
 */
export function claimOutboxSql(count: number): string {
  return `UPDATE outbox SET claimed_by = ?, claimed_until = ?, in_doubt = 1 WHERE id IN (${placeholders(count)})`;
}

/** Which alerts each kind of helpdesk message is about (see `StoreOps.claimAlerts`). */
const ALERT_PURPOSE: Record<AlertPurpose, string> = {
  raise: 'raise_sent_at IS NULL AND cleared_at IS NULL',
  recover: 'raise_sent_at IS NOT NULL AND cleared_at IS NOT NULL',
  forget: 'raise_sent_at IS NULL AND cleared_at IS NOT NULL',
};

const placeholders = (count: number) => Array.from({ length: count }, () => '?').join(', ');

/** Takes the send claim of the given alerts that still need `purpose` and are free (params: owner, until, keys…, now, owner). */
export function claimAlertsSql(purpose: AlertPurpose, count: number): string {
  return `UPDATE helpdesk_alerts SET notify_owner = ?, notify_until = ?
    WHERE alert_key IN (${placeholders(count)}) AND (notify_owner IS NULL OR notify_until <= ? OR notify_owner = ?) AND ${ALERT_PURPOSE[purpose]}
    RETURNING alert_key`;
}

/** Gives the claims back (params: keys…, owner). */
export function releaseAlertsSql(count: number): string {
  return `UPDATE helpdesk_alerts SET notify_owner = NULL, notify_until = NULL WHERE alert_key IN (${placeholders(count)}) AND notify_owner = ?`;
}

/** `SELECT … FOR UPDATE` on PostgreSQL; SQLite's write transactions already hold the database. */
export function lockClause(dialect: 'sqlite' | 'postgres'): string {
  return dialect === 'postgres' ? ' FOR UPDATE' : '';
}

/** Filtered incident listing with each incident's delivery backlog. */
export function listIncidentsSql(filter: { open?: boolean; trunkId?: string }): { text: string; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.open !== undefined) {
    where.push('i.open = ?');
    params.push(filter.open ? 1 : 0);
  }
  if (filter.trunkId !== undefined) {
    where.push('EXISTS (SELECT 1 FROM incident_trunks it WHERE it.incident_id = i.id AND it.trunk_id = ?)');
    params.push(filter.trunkId);
  }
  const text = `SELECT ${INCIDENT_COLUMNS.split(', ').map((c) => `i.${c}`).join(', ')},
      (SELECT COUNT(*) FROM outbox o WHERE o.incident_id = i.id) AS pending_deliveries,
      (SELECT o.last_error FROM outbox o WHERE o.incident_id = i.id AND o.last_error IS NOT NULL ORDER BY o.seq LIMIT 1) AS last_delivery_error
    FROM incidents i ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY i.opened_at DESC, i.id LIMIT ?`;
  return { text, params };
}

/** The trunks of several incidents (`incident_id`, `trunk_id`), in the order they were added. */
export function selectTrunksOfIncidentsSql(count: number): string {
  return `SELECT it.incident_id, it.trunk_id FROM incident_trunks it JOIN incidents i ON i.id = it.incident_id
    WHERE it.incident_id IN (${placeholders(count)}) ORDER BY it.incident_id, ${INCIDENT_TRUNK_ORDER}`;
}

/** Audit lines, newest first, optionally for one subject or incident. */
export function listAuditSql(filter: { subject?: string; incidentId?: string }): { text: string; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.subject !== undefined) {
    where.push('subject = ?');
    params.push(filter.subject);
  }
  if (filter.incidentId !== undefined) {
    where.push('incident_id = ?');
    params.push(filter.incidentId);
  }
  const text = `SELECT id, at, subject, incident_id, step, message, data FROM audit_log ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
  return { text, params };
}

const INCIDENT_PATCH_COLUMNS: Record<string, string> = {
  trunkId: 'trunk_id',
  kind: 'kind',
  open: 'open',
  openedAt: 'opened_at',
  resolvedAt: 'resolved_at',
  reopenedAt: 'reopened_at',
  reopenCount: 'reopen_count',
  sysId: 'sys_id',
  number: 'number',
  servicenowState: 'servicenow_state',
  lastNoteAt: 'last_note_at',
  changesSinceNote: 'changes_since_note',
  updatedAt: 'updated_at',
  trunkBaseId: 'trunk_base_id',
};

const ALERT_PATCH_COLUMNS: Record<string, string> = { summary: 'summary', raisedAt: 'raised_at', raiseSentAt: 'raise_sent_at', clearedAt: 'cleared_at' };

function updateSql(table: string, keyColumn: string, columns: Record<string, string>, patch: Record<string, unknown>, key: unknown): { text: string; params: unknown[] } | null {
  const sets: string[] = [];
  const params: unknown[] = [];
  for (const [field, value] of Object.entries(patch)) {
    const column = columns[field];
    if (column === undefined || value === undefined) continue;
    sets.push(`${column} = ?`);
    params.push(typeof value === 'boolean' ? (value ? 1 : 0) : value);
  }
  if (sets.length === 0) return null;
  return { text: `UPDATE ${table} SET ${sets.join(', ')} WHERE ${keyColumn} = ?`, params: [...params, key] };
}

/** `UPDATE incidents` for the fields present in `patch` (column names from a fixed map, values bound). */
export function updateIncidentSql(id: string, patch: Record<string, unknown>) {
  return updateSql('incidents', 'id', INCIDENT_PATCH_COLUMNS, patch, id);
}

export function updateAlertSql(key: string, patch: Record<string, unknown>) {
  return updateSql('helpdesk_alerts', 'alert_key', ALERT_PATCH_COLUMNS, patch, key);
}

/** `?` → `$1, $2…` for PostgreSQL (no statement here has a `?` inside a string literal). */
export function toNumberedParams(text: string): string {
  let n = 0;
  return text.replace(/\?/g, () => `$${++n}`);
}
