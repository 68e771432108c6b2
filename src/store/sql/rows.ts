import type { TrunkHealth } from '../../trunks/trunk-health.js';
import type { SightingSource } from '../../trunks/trunk-sighting.js';
import type { TrunkSignal, TrunkState } from '../../trunks/trunk-state.js';
import type {
  AlertRow,
  AuditRow,
  AuditStep,
  IncidentKind,
  IncidentRow,
  IncidentSummary,
  OutboxEntry,
  OutboxOperation,
  StuckDelivery,
  TrunkEventRow,
  TrunkRow,
} from '../store.js';

/** Conversions between database rows (snake_case, 0/1 booleans, BIGINT possibly as text) and store types. */
type DbRow = Record<string, unknown>;

const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v));
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : num(v));
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const boolOrNull = (v: unknown): boolean | null => (v === null || v === undefined ? null : num(v) === 1 || v === true);
const dbBool = (v: boolean | null): number | null => (v === null ? null : v ? 1 : 0);

export function trunkFromRow(r: DbRow): TrunkRow {
  return {
    trunkId: String(r.trunk_id),
    name: strOrNull(r.name),
    edgeId: strOrNull(r.edge_id),
    edgeName: strOrNull(r.edge_name),
    proxyAddress: strOrNull(r.proxy_address),
    state: String(r.state) as TrunkState,
    since: num(r.since),
    sipCode: numOrNull(r.sip_code),
    errorText: strOrNull(r.error_text),
    connected: boolOrNull(r.connected),
    registered: boolOrNull(r.registered),
    stateTime: strOrNull(r.state_time),
    source: String(r.source) as SightingSource,
    lastSeenAt: num(r.last_seen_at),
    failingSince: numOrNull(r.failing_since),
    healthySince: numOrNull(r.healthy_since),
    trunkBaseId: strOrNull(r.trunk_base_id),
    trunkBaseName: strOrNull(r.trunk_base_name),
    signal: strOrNull(r.signal) as TrunkSignal | null,
    health: r.health === null || r.health === undefined ? null : (JSON.parse(String(r.health)) as TrunkHealth),
    goneAt: numOrNull(r.gone_at),
  };
}

export function trunkParams(t: TrunkRow): unknown[] {
  return [
    t.trunkId, t.name, t.edgeId, t.edgeName, t.proxyAddress, t.state, t.since, t.sipCode, t.errorText,
    dbBool(t.connected), dbBool(t.registered), t.stateTime, t.source, t.lastSeenAt, t.failingSince, t.healthySince,
    t.trunkBaseId, t.trunkBaseName, t.signal, t.health === null ? null : JSON.stringify(t.health), t.goneAt,
  ];
}

export function trunkEventFromRow(r: DbRow): TrunkEventRow {
  return {
    id: num(r.id),
    trunkId: String(r.trunk_id),
    at: num(r.at),
    state: String(r.state) as TrunkState,
    previousState: strOrNull(r.previous_state) as TrunkState | null,
    signal: strOrNull(r.signal) as TrunkSignal | null,
    sipCode: numOrNull(r.sip_code),
    errorText: strOrNull(r.error_text),
    proxyAddress: strOrNull(r.proxy_address),
    source: String(r.source) as SightingSource,
    eventId: strOrNull(r.event_id),
  };
}

export function trunkEventParams(e: Omit<TrunkEventRow, 'id'>): unknown[] {
  return [e.trunkId, e.at, e.state, e.previousState, e.sipCode, e.errorText, e.proxyAddress, e.source, e.eventId, e.signal];
}

export function incidentFromRow(r: DbRow): IncidentRow {
  return {
    id: String(r.id),
    correlationId: String(r.correlation_id),
    trunkId: strOrNull(r.trunk_id),
    trunkBaseId: strOrNull(r.trunk_base_id),
    kind: String(r.kind) as IncidentKind,
    open: num(r.open) === 1,
    openedAt: num(r.opened_at),
    resolvedAt: numOrNull(r.resolved_at),
    reopenedAt: numOrNull(r.reopened_at),
    reopenCount: num(r.reopen_count),
    sysId: strOrNull(r.sys_id),
    number: strOrNull(r.number),
    servicenowState: strOrNull(r.servicenow_state),
    lastNoteAt: numOrNull(r.last_note_at),
    changesSinceNote: num(r.changes_since_note),
    updatedAt: num(r.updated_at),
  };
}

/** An incident listing row; `trunkIds` come from `incident_trunks` (see `withTrunkIds`). */
export function incidentSummaryFromRow(r: DbRow): IncidentSummary {
  return { ...incidentFromRow(r), trunkIds: [], pendingDeliveries: num(r.pending_deliveries), lastDeliveryError: strOrNull(r.last_delivery_error) };
}

/** Fills each summary's `trunkIds` from `(incident_id, trunk_id)` rows in the order they were added. */
export function withTrunkIds(summaries: IncidentSummary[], rows: DbRow[]): IncidentSummary[] {
  const byIncident = new Map<string, string[]>();
  for (const r of rows) {
    const id = String(r.incident_id);
    const list = byIncident.get(id) ?? [];
    list.push(String(r.trunk_id));
    byIncident.set(id, list);
  }
  return summaries.map((s) => ({ ...s, trunkIds: byIncident.get(s.id) ?? [] }));
}

/** Insert parameters; a new incident's outbox sequence starts at 1. */
export function incidentParams(i: IncidentRow): unknown[] {
  return [
    i.id, i.correlationId, i.trunkId, i.kind, i.open ? 1 : 0, i.openedAt, i.resolvedAt, i.reopenedAt, i.reopenCount,
    i.sysId, i.number, i.servicenowState, i.lastNoteAt, i.changesSinceNote, 1, i.updatedAt, i.trunkBaseId,
  ];
}

export function outboxFromRow(r: DbRow): OutboxEntry {
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
export function claimedFromRow(r: DbRow): Omit<OutboxEntry, 'claimedBy' | 'claimedUntil'> & { incident: IncidentRow } {
  return {
    ...outboxFromRow(r),
    incident: incidentFromRow({
      id: r.i_id, correlation_id: r.i_correlation_id, trunk_id: r.i_trunk_id, kind: r.i_kind, open: r.i_open, opened_at: r.i_opened_at,
      resolved_at: r.i_resolved_at, reopened_at: r.i_reopened_at, reopen_count: r.i_reopen_count, sys_id: r.i_sys_id, number: r.i_number,
      servicenow_state: r.i_servicenow_state, last_note_at: r.i_last_note_at, changes_since_note: r.i_changes_since_note, updated_at: r.i_updated_at,
      trunk_base_id: r.i_trunk_base_id,
    }),
  };
}

export function stuckFromRow(r: DbRow): StuckDelivery {
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

export function auditFromRow(r: DbRow): AuditRow {
  return {
    id: num(r.id),
    at: num(r.at),
    subject: String(r.subject),
    incidentId: strOrNull(r.incident_id),
    step: String(r.step) as AuditStep,
    message: String(r.message),
    data: r.data === null || r.data === undefined ? null : (JSON.parse(String(r.data)) as Record<string, unknown>),
  };
}

export function alertFromRow(r: DbRow): AlertRow {
  return {
    key: String(r.alert_key),
    summary: String(r.summary),
    raisedAt: num(r.raised_at),
    raiseSentAt: numOrNull(r.raise_sent_at),
    clearedAt: numOrNull(r.cleared_at),
  };
}

/** True for a driver error raised by the "one open incident per key" index. */
export function isOpenIncidentConflict(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown; constraint?: unknown } | null;
  const message = typeof e?.message === 'string' ? e.message : '';
  // SQLite: SQLITE_CONSTRAINT_UNIQUE naming the columns; PostgreSQL: 23505 naming the index.
  return (e?.code === 'SQLITE_CONSTRAINT_UNIQUE' && message.includes('incidents.correlation_id')) || (e?.code === '23505' && e.constraint === 'incidents_one_open_per_key');
}
