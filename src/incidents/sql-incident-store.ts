import {
  all,
  forUpdate,
  num,
  numOrNull,
  one,
  placeholders,
  run,
  strOrNull,
  updateSql,
  type SqlRow,
  type SqlSession,
} from '../store/sql-session.js';
import { TRUNK_COLUMNS, trunkFromRow } from '../trunks/sql-trunk-store.js';
import type { TrunkRow } from '../trunks/trunk-store.js';
import {
  OpenIncidentConflictError,
  type IncidentKind,
  type IncidentPatch,
  type IncidentRow,
  type IncidentStore,
  type IncidentSummary,
} from './incident-store.js';

export const INCIDENT_COLUMNS =
  'id, correlation_id, trunk_id, kind, open, opened_at, resolved_at, reopened_at, reopen_count, sys_id, number, servicenow_state, last_note_at, changes_since_note, next_seq, updated_at, trunk_base_id, org, servicenow_instance';

/** The incident's first trunk first, then the others in the order they were added. */
const INCIDENT_TRUNK_ORDER = 'CASE WHEN it.trunk_id = i.trunk_id THEN 0 ELSE 1 END, it.added_at, it.trunk_id';
/** An open incident already concerns the trunk (its own, or its trunk base's once the trunk was added). */
const COVERED_BY_OPEN_INCIDENT =
  'EXISTS (SELECT 1 FROM incident_trunks it JOIN incidents i ON i.id = it.incident_id WHERE it.trunk_id = t.trunk_id AND i.open = 1)';

const SQL = {
  selectIncident: `SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE id = ?`,
  selectOpenIncident: `SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE correlation_id = ? AND open = 1`,
  selectLatestIncident: `SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE correlation_id = ? ORDER BY opened_at DESC, id DESC LIMIT 1`,
  selectOpenIncidents: `SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE open = 1 ORDER BY opened_at`,
  insertIncident: `INSERT INTO incidents (${INCIDENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  selectIncidentTrunks: `SELECT it.trunk_id FROM incident_trunks it JOIN incidents i ON i.id = it.incident_id WHERE it.incident_id = ? ORDER BY ${INCIDENT_TRUNK_ORDER}`,
  insertIncidentTrunk:
    'INSERT INTO incident_trunks (incident_id, trunk_id, added_at) VALUES (?, ?, ?) ON CONFLICT (incident_id, trunk_id) DO NOTHING',
  // The failing states are the rule's ('rejected', 'dropped'); kept literal so an index can serve it.
  selectTrunksDueToOpen: `SELECT ${TRUNK_COLUMNS} FROM trunks t
    WHERE t.state IN ('rejected', 'dropped') AND t.failing_since IS NOT NULL AND t.failing_since <= ? AND t.gone_at IS NULL
      AND NOT ${COVERED_BY_OPEN_INCIDENT}
    ORDER BY t.failing_since`,
} as const;

const PATCH_COLUMNS: Record<string, string> = {
  trunkId: 'trunk_id',
  trunkBaseId: 'trunk_base_id',
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
};

export function incidentFromRow(r: SqlRow): IncidentRow {
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
    org: String(r.org),
    servicenowInstance: String(r.servicenow_instance),
  };
}

/** Insert parameters; a new incident's outbox sequence starts at 1. */
function incidentParams(i: IncidentRow): unknown[] {
  return [
    i.id,
    i.correlationId,
    i.trunkId,
    i.kind,
    i.open ? 1 : 0,
    i.openedAt,
    i.resolvedAt,
    i.reopenedAt,
    i.reopenCount,
    i.sysId,
    i.number,
    i.servicenowState,
    i.lastNoteAt,
    i.changesSinceNote,
    1,
    i.updatedAt,
    i.trunkBaseId,
    i.org,
    i.servicenowInstance,
  ];
}

/** True for a driver error raised by the "one open incident per key" index. */
function isOpenIncidentConflict(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown; constraint?: unknown } | null;
  const message = typeof e?.message === 'string' ? e.message : '';
  // SQLite: SQLITE_CONSTRAINT_UNIQUE naming the columns; PostgreSQL: 23505 naming the index.
  return (
    (e?.code === 'SQLITE_CONSTRAINT_UNIQUE' && message.includes('incidents.correlation_id')) ||
    (e?.code === '23505' && e.constraint === 'incidents_one_open_per_key')
  );
}

/** Incidents listed newest first with each one's delivery backlog (the outbox is the incidents' own table). */
function listIncidentsSql(filter: { open?: boolean; trunkId?: string; org?: string }): { text: string; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.open !== undefined) {
    where.push('i.open = ?');
    params.push(filter.open ? 1 : 0);
  }
  if (filter.org !== undefined) {
    where.push('i.org = ?');
    params.push(filter.org);
  }
  if (filter.trunkId !== undefined) {
    where.push('EXISTS (SELECT 1 FROM incident_trunks it WHERE it.incident_id = i.id AND it.trunk_id = ?)');
    params.push(filter.trunkId);
  }
  const text = `SELECT ${INCIDENT_COLUMNS.split(', ')
    .map((c) => `i.${c}`)
    .join(', ')},
      (SELECT COUNT(*) FROM outbox o WHERE o.incident_id = i.id) AS pending_deliveries,
      (SELECT o.last_error FROM outbox o WHERE o.incident_id = i.id AND o.last_error IS NOT NULL ORDER BY o.seq LIMIT 1) AS last_delivery_error
    FROM incidents i ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY i.opened_at DESC, i.id LIMIT ?`;
  return { text, params };
}

/** The incident store in SQL, one text for SQLite and PostgreSQL. */
export class SqlIncidentStore implements IncidentStore {
  constructor(private readonly s: SqlSession) {}

  async getIncident(id: string): Promise<IncidentRow | null> {
    const r = await one(this.s, SQL.selectIncident, [id]);
    return r ? incidentFromRow(r) : null;
  }

  async findIncidentIds(ref: string): Promise<string[]> {
    const rows = await all(this.s, 'SELECT id FROM incidents WHERE id = ? OR number = ? OR sys_id = ? ORDER BY id', [ref, ref, ref]);
    return rows.map((r) => String(r.id));
  }

  async getIncidentsByIds(ids: readonly string[]): Promise<IncidentRow[]> {
    if (ids.length === 0) return [];
    const text = `SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE id IN (${placeholders(ids.length)})`;
    return (await all(this.s, text, [...ids])).map(incidentFromRow);
  }

  async getOpenIncident(correlationId: string, options?: { forUpdate?: boolean }): Promise<IncidentRow | null> {
    const lock = await forUpdate(this.s, `incident:${correlationId}`, options);
    const r = await one(this.s, SQL.selectOpenIncident + lock, [correlationId]);
    return r ? incidentFromRow(r) : null;
  }

  async getLatestIncident(correlationId: string): Promise<IncidentRow | null> {
    const r = await one(this.s, SQL.selectLatestIncident, [correlationId]);
    return r ? incidentFromRow(r) : null;
  }

  async listOpenIncidents(): Promise<IncidentRow[]> {
    return (await all(this.s, SQL.selectOpenIncidents)).map(incidentFromRow);
  }

  async listIncidents(options: { open?: boolean; trunkId?: string; org?: string; limit: number }): Promise<IncidentSummary[]> {
    const q = listIncidentsSql(options);
    const summaries = (await all(this.s, q.text, [...q.params, options.limit])).map((r): IncidentSummary => ({
      ...incidentFromRow(r),
      trunkIds: [],
      pendingDeliveries: num(r.pending_deliveries),
      lastDeliveryError: strOrNull(r.last_delivery_error),
    }));
    if (summaries.length === 0) return summaries;
    const rows = await all(
      this.s,
      `SELECT it.incident_id, it.trunk_id FROM incident_trunks it JOIN incidents i ON i.id = it.incident_id
        WHERE it.incident_id IN (${placeholders(summaries.length)}) ORDER BY it.incident_id, ${INCIDENT_TRUNK_ORDER}`,
      summaries.map((s) => s.id),
    );
    const byIncident = new Map<string, string[]>();
    for (const r of rows) byIncident.set(String(r.incident_id), [...(byIncident.get(String(r.incident_id)) ?? []), String(r.trunk_id)]);
    return summaries.map((s) => ({ ...s, trunkIds: byIncident.get(s.id) ?? [] }));
  }

  async listIncidentTrunks(incidentId: string): Promise<string[]> {
    return (await all(this.s, SQL.selectIncidentTrunks, [incidentId])).map((r) => String(r.trunk_id));
  }

  async addIncidentTrunks(incidentId: string, trunkIds: readonly string[], at: number): Promise<void> {
    for (const trunkId of trunkIds) await run(this.s, SQL.insertIncidentTrunk, [incidentId, trunkId, at]);
  }

  async insertIncident(row: IncidentRow): Promise<void> {
    const insert = () => run(this.s, SQL.insertIncident, incidentParams(row));
    try {
      // Only an open row can meet the unique index.
      await (row.open ? this.s.guarded(insert) : insert());
    } catch (err) {
      if (isOpenIncidentConflict(err)) throw new OpenIncidentConflictError(row.correlationId);
      throw err;
    }
    // An incident always concerns its first trunk.
    if (row.trunkId !== null) await run(this.s, SQL.insertIncidentTrunk, [row.id, row.trunkId, row.openedAt]);
  }

  async updateIncident(id: string, patch: IncidentPatch): Promise<void> {
    const q = updateSql('incidents', 'id', PATCH_COLUMNS, patch, id);
    if (!q) return;
    const update = () => run(this.s, q.text, q.params);
    try {
      await (patch.open === true ? this.s.guarded(update) : update());
    } catch (err) {
      if (!isOpenIncidentConflict(err)) throw err;
      throw new OpenIncidentConflictError(String((await one(this.s, SQL.selectIncident, [id]))?.correlation_id ?? id));
    }
  }

  async listTrunksDueToOpen(cutoff: number): Promise<TrunkRow[]> {
    return (await all(this.s, SQL.selectTrunksDueToOpen, [cutoff])).map(trunkFromRow);
  }
}
