import { copy, type FakeDatabase } from '../store/fake-database.js';
import type { AlertPurpose, AlertRow, AlertStore } from './alert-store.js';

interface FakeAlertTable {
  alerts: Map<string, AlertRow>;
  claims: Map<string, { owner: string; until: number }>;
}

const needs = (purpose: AlertPurpose, a: AlertRow) =>
  purpose === 'raise'
    ? a.raiseSentAt === null && a.clearedAt === null
    : purpose === 'recover'
      ? a.raiseSentAt !== null && a.clearedAt !== null
      : a.raiseSentAt === null && a.clearedAt !== null;

/** Helpdesk alerts in memory, with the same contract as SqlAlertStore. */
export class FakeAlertStore implements AlertStore {
  private readonly t: () => FakeAlertTable;

  constructor(db: FakeDatabase) {
    this.t = db.table<FakeAlertTable>('alerts', () => ({ alerts: new Map(), claims: new Map() }));
  }

  async listAlerts() {
    return copy([...this.t().alerts.values()].sort((a, b) => a.raisedAt - b.raisedAt || a.key.localeCompare(b.key)));
  }
  async raiseAlert(row: AlertRow) {
    if (this.t().alerts.has(row.key)) return false;
    this.t().alerts.set(row.key, copy(row));
    return true;
  }
  async updateAlert(key: string, patch: Partial<Omit<AlertRow, 'key'>>) {
    const a = this.t().alerts.get(key);
    if (a) Object.assign(a, Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)));
  }
  async deleteAlert(key: string) {
    this.t().alerts.delete(key);
    this.t().claims.delete(key);
  }
  async claimAlerts(options: { keys: string[]; purpose: AlertPurpose; owner: string; now: number; leaseMs: number }) {
    const taken: string[] = [];
    for (const key of options.keys) {
      const alert = this.t().alerts.get(key);
      const claim = this.t().claims.get(key);
      if (!alert || !needs(options.purpose, alert) || (claim && claim.until > options.now && claim.owner !== options.owner)) continue;
      this.t().claims.set(key, { owner: options.owner, until: options.now + options.leaseMs });
      taken.push(key);
    }
    return taken;
  }
  async releaseAlerts(keys: string[], owner: string) {
    for (const key of keys) if (this.t().claims.get(key)?.owner === owner) this.t().claims.delete(key);
  }
}
