import { all, num, numOrNull, one, run, type SqlRow, type SqlSession } from '../store/sql-session.js';
import type { MaintenanceScope, MaintenanceStore, MaintenanceSuppression, MaintenanceWindow } from './maintenance-store.js';

const COLUMNS = 'id, scope_kind, scope_id, org, starts_at, ends_at, reason, created_by, created_at, start_noted_at, end_noted_at';

const SQL = {
  insert: `INSERT INTO maintenance_windows (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  get: `SELECT ${COLUMNS} FROM maintenance_windows WHERE id = ?`,
  list: `SELECT ${COLUMNS} FROM maintenance_windows WHERE ends_at > ? ORDER BY starts_at, id`,
  listUnannounced: `SELECT ${COLUMNS} FROM maintenance_windows WHERE ends_at > ? OR end_noted_at IS NULL ORDER BY starts_at, id`,
  // A window not started yet is cancelled: it starts and ends now.
  end: 'UPDATE maintenance_windows SET starts_at = CASE WHEN starts_at > ? THEN ? ELSE starts_at END, ends_at = ? WHERE id = ? AND ends_at > ?',
  startNoted: 'UPDATE maintenance_windows SET start_noted_at = ? WHERE id = ? AND start_noted_at IS NULL',
  endNoted: 'UPDATE maintenance_windows SET end_noted_at = ? WHERE id = ? AND end_noted_at IS NULL',
  suppress:
    'INSERT INTO maintenance_suppressions (window_id, subject, episode_start, at) VALUES (?, ?, ?, ?) ON CONFLICT (window_id, subject, episode_start) DO NOTHING',
  pruneSuppressions:
    'DELETE FROM maintenance_suppressions WHERE window_id IN (SELECT id FROM maintenance_windows WHERE ends_at < ? AND end_noted_at IS NOT NULL)',
  pruneWindows: 'DELETE FROM maintenance_windows WHERE ends_at < ? AND end_noted_at IS NOT NULL',
} as const;

function scopeFromRow(r: SqlRow): MaintenanceScope {
  const kind = String(r.scope_kind);
  const org = r.org === null || r.org === undefined ? null : String(r.org);
  if (kind === 'all') return { kind: 'all', id: null, org };
  return { kind: kind as 'trunk' | 'trunkBase' | 'edge', id: String(r.scope_id), org: org ?? 'default' };
}

function windowFromRow(r: SqlRow): MaintenanceWindow {
  return {
    id: String(r.id),
    scope: scopeFromRow(r),
    startsAt: num(r.starts_at),
    endsAt: num(r.ends_at),
    reason: String(r.reason),
    createdBy: String(r.created_by),
    createdAt: num(r.created_at),
    startNotedAt: numOrNull(r.start_noted_at),
    endNotedAt: numOrNull(r.end_noted_at),
  };
}

/** Maintenance windows in SQL, one text for SQLite and PostgreSQL. */
export class SqlMaintenanceStore implements MaintenanceStore {
  constructor(private readonly s: SqlSession) {}

  async insertMaintenanceWindow(w: MaintenanceWindow): Promise<void> {
    await run(this.s, SQL.insert, [
      w.id,
      w.scope.kind,
      w.scope.id,
      w.scope.org,
      w.startsAt,
      w.endsAt,
      w.reason,
      w.createdBy,
      w.createdAt,
      w.startNotedAt,
      w.endNotedAt,
    ]);
  }

  async getMaintenanceWindow(id: string): Promise<MaintenanceWindow | null> {
    const row = await one(this.s, SQL.get, [id]);
    return row ? windowFromRow(row) : null;
  }

  async listMaintenanceWindows(options: { endingAfter: number; unannounced?: boolean }): Promise<MaintenanceWindow[]> {
    return (await all(this.s, options.unannounced ? SQL.listUnannounced : SQL.list, [options.endingAfter])).map(windowFromRow);
  }

  async endMaintenanceWindow(id: string, at: number): Promise<boolean> {
    return (await run(this.s, SQL.end, [at, at, at, id, at])) === 1;
  }

  async markMaintenanceStartNoted(id: string, at: number): Promise<boolean> {
    return (await run(this.s, SQL.startNoted, [at, id])) === 1;
  }

  async markMaintenanceEndNoted(id: string, at: number): Promise<boolean> {
    return (await run(this.s, SQL.endNoted, [at, id])) === 1;
  }

  async recordMaintenanceSuppression(e: MaintenanceSuppression): Promise<boolean> {
    return (await run(this.s, SQL.suppress, [e.windowId, e.subject, e.episodeStart, e.at])) === 1;
  }

  async pruneMaintenance(before: number): Promise<void> {
    await run(this.s, SQL.pruneSuppressions, [before]);
    await run(this.s, SQL.pruneWindows, [before]);
  }
}
