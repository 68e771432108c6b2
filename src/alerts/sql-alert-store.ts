import { all, num, numOrNull, placeholders, run, updateSql, type SqlRow, type SqlSession } from '../store/sql-session.js';
import type { AlertPurpose, AlertRow, AlertStore } from './alert-store.js';

const SQL = {
  select: 'SELECT alert_key, summary, raised_at, raise_sent_at, cleared_at FROM helpdesk_alerts ORDER BY raised_at, alert_key',
  insert:
    'INSERT INTO helpdesk_alerts (alert_key, summary, raised_at, raise_sent_at, cleared_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (alert_key) DO NOTHING',
  delete: 'DELETE FROM helpdesk_alerts WHERE alert_key = ?',
} as const;

/** Which alerts each kind of helpdesk message is about (see `AlertStore.claimAlerts`). */
const PURPOSE: Record<AlertPurpose, string> = {
  raise: 'raise_sent_at IS NULL AND cleared_at IS NULL',
  recover: 'raise_sent_at IS NOT NULL AND cleared_at IS NOT NULL',
  forget: 'raise_sent_at IS NULL AND cleared_at IS NOT NULL',
};

const PATCH_COLUMNS: Record<string, string> = {
  summary: 'summary',
  raisedAt: 'raised_at',
  raiseSentAt: 'raise_sent_at',
  clearedAt: 'cleared_at',
};

function alertFromRow(r: SqlRow): AlertRow {
  return {
    key: String(r.alert_key),
    summary: String(r.summary),
    raisedAt: num(r.raised_at),
    raiseSentAt: numOrNull(r.raise_sent_at),
    clearedAt: numOrNull(r.cleared_at),
  };
}

/** Helpdesk alerts in SQL, one text for SQLite and PostgreSQL. */
export class SqlAlertStore implements AlertStore {
  constructor(private readonly s: SqlSession) {}

  async listAlerts(): Promise<AlertRow[]> {
    return (await all(this.s, SQL.select)).map(alertFromRow);
  }

  async raiseAlert(row: AlertRow): Promise<boolean> {
    return (await run(this.s, SQL.insert, [row.key, row.summary, row.raisedAt, row.raiseSentAt, row.clearedAt])) === 1;
  }

  async updateAlert(key: string, patch: Partial<Omit<AlertRow, 'key'>>): Promise<void> {
    const q = updateSql('helpdesk_alerts', 'alert_key', PATCH_COLUMNS, patch, key);
    if (q) await run(this.s, q.text, q.params);
  }

  async deleteAlert(key: string): Promise<void> {
    await run(this.s, SQL.delete, [key]);
  }

  async claimAlerts(options: { keys: string[]; purpose: AlertPurpose; owner: string; now: number; leaseMs: number }): Promise<string[]> {
    if (options.keys.length === 0) return [];
    const { owner, now } = options;
    // A replica claiming the same row at once waits for this UPDATE, then finds the row held: not taken.
    const text = `UPDATE helpdesk_alerts SET notify_owner = ?, notify_until = ?
      WHERE alert_key IN (${placeholders(options.keys.length)}) AND (notify_owner IS NULL OR notify_until <= ? OR notify_owner = ?) AND ${PURPOSE[options.purpose]}
      RETURNING alert_key`;
    return (await all(this.s, text, [owner, now + options.leaseMs, ...options.keys, now, owner])).map((r) => String(r.alert_key));
  }

  async releaseAlerts(keys: string[], owner: string): Promise<void> {
    if (keys.length === 0) return;
    await run(
      this.s,
      `UPDATE helpdesk_alerts SET notify_owner = NULL, notify_until = NULL WHERE alert_key IN (${placeholders(keys.length)}) AND notify_owner = ?`,
      [...keys, owner],
    );
  }
}
