import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { migrations } from '../../src/store/sql/migrations.js';
import { SqliteStore, StoreLockedError } from '../../src/store/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { describeStoreContract, incidentRow, trunkRow } from './store-contract.js';

const dirs: string[] = [];
function tempFile(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trunkgate-store-'));
  dirs.push(dir);
  return path.join(dir, 'nested', 'trunkgate.db');
}
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describeStoreContract('SqliteStore', {
  create: async () => SqliteStore.open({ file: tempFile() }),
  destroy: (store: Store) => store.close(),
});

describe('SqliteStore (file behaviour)', () => {
  it('creates the folder, applies the migrations once and keeps data across reopening', async () => {
    const file = tempFile();
    const first = SqliteStore.open({ file });
    expect(first.appliedMigrations()).toEqual(migrations.map((m) => m.version));
    await first.upsertTrunk(trunkRow());
    await first.close();
    const second = SqliteStore.open({ file });
    expect(second.appliedMigrations()).toEqual(migrations.map((m) => m.version));
    expect((await second.getTrunk('t1'))?.name).toBe('Lumen SIP - NYC');
    await second.close();
  });

  it('applies a newer migration to an existing database', async () => {
    const file = tempFile();
    await SqliteStore.open({ file }).close();
    const extra = { version: migrations.length + 1, name: 'extra', statements: ['CREATE TABLE extra_table (id {{AUTO_ID}}, v TEXT)'] };
    const store = SqliteStore.open({ file, migrations: [...migrations, extra] });
    expect(store.appliedMigrations()).toEqual([...migrations.map((m) => m.version), extra.version]);
    await store.close();
  });

  it('upgrades a database made by an earlier release in place, keeping its rows', async () => {
    const file = tempFile();
    const old = SqliteStore.open({ file, migrations: migrations.slice(0, 1) });
    await old.raiseAlert({ key: 'k', summary: 's', raisedAt: 1, raiseSentAt: null, clearedAt: null });
    await old.close();
    const upgraded = SqliteStore.open({ file });
    expect(upgraded.appliedMigrations()).toEqual(migrations.map((m) => m.version));
    expect(await upgraded.claimAlerts({ keys: ['k'], purpose: 'raise', owner: 'a', now: 2, leaseMs: 10 })).toEqual(['k']);
    await upgraded.close();
  });

  it('refuses a second connection to a file held by a running store', async () => {
    const file = tempFile();
    const holder = SqliteStore.open({ file });
    expect(() => SqliteStore.open({ file, busyTimeoutMs: 50 })).toThrow(StoreLockedError);
    await holder.close();
    await SqliteStore.open({ file }).close();
  });

  it('releases the delivery leases a killed process left behind when it opens', async () => {
    const file = tempFile();
    const before = SqliteStore.open({ file });
    await before.insertIncident(incidentRow());
    const id = await before.enqueueDelivery({ incidentId: 'i1', operation: 'create', payload: {}, at: 1 });
    await before.claimDeliveries({ owner: 'killed', now: 1, leaseMs: 3_600_000, limit: 1 });
    await before.close();
    const after = SqliteStore.open({ file });
    expect((await after.claimDeliveries({ owner: 'new', now: 2, leaseMs: 1_000, limit: 1 })).map((d) => d.id)).toEqual([id]);
    await after.close();
  });

  it('reports a closed store through ping', async () => {
    const store = SqliteStore.open({ file: tempFile() });
    await store.close();
    await expect(store.ping()).rejects.toThrow();
  });
});
