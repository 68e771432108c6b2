import { copy, type FakeDatabase } from '../store/fake-database.js';
import type { MaintenanceStore, MaintenanceSuppression, MaintenanceWindow } from './maintenance-store.js';

interface FakeMaintenanceTable {
  windows: Map<string, MaintenanceWindow>;
  suppressions: Map<string, MaintenanceSuppression>;
}

const suppressionKey = (e: Pick<MaintenanceSuppression, 'windowId' | 'subject' | 'episodeStart'>) =>
  JSON.stringify([e.windowId, e.subject, e.episodeStart]);

/** Maintenance windows in memory, with the same contract as SqlMaintenanceStore. */
export class FakeMaintenanceStore implements MaintenanceStore {
  private readonly t: () => FakeMaintenanceTable;

  constructor(db: FakeDatabase) {
    this.t = db.table<FakeMaintenanceTable>('maintenance', () => ({ windows: new Map(), suppressions: new Map() }));
  }

  async insertMaintenanceWindow(window: MaintenanceWindow) {
    if (this.t().windows.has(window.id)) throw new Error(`maintenance window ${window.id} already exists`);
    this.t().windows.set(window.id, copy(window));
  }
  async getMaintenanceWindow(id: string) {
    return copy(this.t().windows.get(id) ?? null);
  }
  async listMaintenanceWindows(options: { endingAfter: number; unannounced?: boolean }) {
    const kept = [...this.t().windows.values()].filter(
      (w) => w.endsAt > options.endingAfter || (options.unannounced === true && w.endNotedAt === null),
    );
    return copy(kept.sort((a, b) => a.startsAt - b.startsAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)));
  }
  async endMaintenanceWindow(id: string, at: number) {
    const w = this.t().windows.get(id);
    if (!w || w.endsAt <= at) return false;
    w.startsAt = Math.min(w.startsAt, at);
    w.endsAt = at;
    return true;
  }
  async markMaintenanceStartNoted(id: string, at: number) {
    const w = this.t().windows.get(id);
    if (!w || w.startNotedAt !== null) return false;
    w.startNotedAt = at;
    return true;
  }
  async markMaintenanceEndNoted(id: string, at: number) {
    const w = this.t().windows.get(id);
    if (!w || w.endNotedAt !== null) return false;
    w.endNotedAt = at;
    return true;
  }
  async recordMaintenanceSuppression(entry: MaintenanceSuppression) {
    const key = suppressionKey(entry);
    if (this.t().suppressions.has(key)) return false;
    this.t().suppressions.set(key, copy(entry));
    return true;
  }
  async pruneMaintenance(before: number) {
    const { windows, suppressions } = this.t();
    for (const [id, w] of windows) {
      if (w.endsAt >= before || w.endNotedAt === null) continue;
      windows.delete(id);
      for (const [key, s] of suppressions) if (s.windowId === id) suppressions.delete(key);
    }
  }
}
