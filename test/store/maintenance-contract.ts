import { expect, it } from 'vitest';
import type { AppStores as Store } from '../../src/app/stores.js';
import type { MaintenanceWindow } from '../../src/maintenance/maintenance-store.js';

const T0 = Date.UTC(2026, 0, 1, 12);

export function maintenanceRow(overrides: Partial<MaintenanceWindow> = {}): MaintenanceWindow {
  return {
    id: 'w1',
    scope: { kind: 'trunk', id: 't1', org: 'default' },
    startsAt: T0,
    endsAt: T0 + 3_600_000,
    reason: 'carrier maintenance',
    createdBy: 'noc',
    createdAt: T0 - 1_000,
    startNotedAt: null,
    endNotedAt: null,
    ...overrides,
  };
}

/** The maintenance windows' part of the store contract (called inside describeStoreContract). */
export function maintenanceContract(store: () => Store): void {
  it('keeps maintenance windows with their scope, lists those ending after a time (and unannounced ones), by start', async () => {
    const s = store();
    await s.insertMaintenanceWindow(maintenanceRow({ id: 'w2', startsAt: T0 + 10, scope: { kind: 'all', id: null, org: null } }));
    await s.insertMaintenanceWindow(maintenanceRow({ id: 'w1' }));
    await s.insertMaintenanceWindow(
      maintenanceRow({ id: 'old', startsAt: T0 - 10_000, endsAt: T0 - 5_000, scope: { kind: 'edge', id: 'e1', org: 'b' } }),
    );
    expect(await s.getMaintenanceWindow('w1')).toEqual(maintenanceRow());
    expect(await s.getMaintenanceWindow('w2')).toMatchObject({ scope: { kind: 'all', id: null, org: null } });
    expect(await s.getMaintenanceWindow('nope')).toBeNull();
    expect((await s.listMaintenanceWindows({ endingAfter: T0 })).map((w) => w.id)).toEqual(['w1', 'w2']);
    expect((await s.listMaintenanceWindows({ endingAfter: T0, unannounced: true })).map((w) => w.id)).toEqual(['old', 'w1', 'w2']);
    expect(await s.markMaintenanceEndNoted('old', T0)).toBe(true);
    expect(await s.markMaintenanceEndNoted('old', T0 + 1)).toBe(false);
    expect((await s.listMaintenanceWindows({ endingAfter: T0, unannounced: true })).map((w) => w.id)).toEqual(['w1', 'w2']);
    expect(await s.markMaintenanceStartNoted('w1', T0 + 5)).toBe(true);
    expect(await s.markMaintenanceStartNoted('w1', T0 + 6)).toBe(false);
    expect(await s.getMaintenanceWindow('w1')).toMatchObject({ startNotedAt: T0 + 5, endNotedAt: null });
  });

  it('ends a window once (a window not started yet is cancelled: it starts and ends then)', async () => {
    const s = store();
    await s.insertMaintenanceWindow(maintenanceRow({ id: 'now' }));
    await s.insertMaintenanceWindow(maintenanceRow({ id: 'later', startsAt: T0 + 60_000, endsAt: T0 + 120_000 }));
    expect(await s.endMaintenanceWindow('now', T0 + 1_000)).toBe(true);
    expect(await s.endMaintenanceWindow('now', T0 + 2_000)).toBe(false);
    expect(await s.getMaintenanceWindow('now')).toMatchObject({ startsAt: T0, endsAt: T0 + 1_000 });
    expect(await s.endMaintenanceWindow('later', T0 + 1_000)).toBe(true);
    expect(await s.getMaintenanceWindow('later')).toMatchObject({ startsAt: T0 + 1_000, endsAt: T0 + 1_000 });
    expect(await s.endMaintenanceWindow('unknown', T0)).toBe(false);
    expect(await s.listMaintenanceWindows({ endingAfter: T0 + 1_000 })).toEqual([]);
  });

  it('records a suppressed failure episode once, and prunes announced windows that ended long ago with their suppressions', async () => {
    const s = store();
    await s.insertMaintenanceWindow(maintenanceRow({ id: 'w1', endNotedAt: T0 + 3_600_000 }));
    await s.insertMaintenanceWindow(maintenanceRow({ id: 'w2' }));
    const entry = { windowId: 'w1', subject: 'trunkgate:trunk:t1', episodeStart: T0, at: T0 + 1 };
    expect(await s.recordMaintenanceSuppression(entry)).toBe(true);
    expect(await s.recordMaintenanceSuppression({ ...entry, at: T0 + 2 })).toBe(false);
    expect(await s.recordMaintenanceSuppression({ ...entry, episodeStart: T0 + 100 })).toBe(true);
    expect(await s.transaction((tx) => tx.recordMaintenanceSuppression({ ...entry, windowId: 'w2' }))).toBe(true);
    await s.pruneMaintenance(T0 + 7_200_000);
    // w2's end was never announced: kept (the watchdog still has to announce it).
    expect(await s.getMaintenanceWindow('w1')).toBeNull();
    expect(await s.getMaintenanceWindow('w2')).not.toBeNull();
    expect(await s.recordMaintenanceSuppression({ ...entry, windowId: 'w2' })).toBe(false);
    expect(await s.recordMaintenanceSuppression(entry)).toBe(true);
  });
}
