import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { migrations } from '../../src/store/sql/migrations.js';
import { StoreLockedError } from '../../src/store/sqlite-database.js';
import { openSqliteStores } from '../../src/app/stores.js';
import type { AppStores as Store } from '../../src/app/stores.js';
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

describeStoreContract('SQLite stores', {
  create: async () => openSqliteStores({ file: tempFile() }),
  destroy: (store: Store) => store.close(),
});

describe('SQLite stores (file behaviour)', () => {
  it('creates the folder, applies the migrations once and keeps data across reopening', async () => {
    const file = tempFile();
    const first = openSqliteStores({ file });
    expect(await first.database.appliedMigrations()).toEqual(migrations.map((m) => m.version));
    await first.upsertTrunk(trunkRow());
    await first.close();
    const second = openSqliteStores({ file });
    expect(await second.database.appliedMigrations()).toEqual(migrations.map((m) => m.version));
    expect((await second.getTrunk('t1'))?.name).toBe('Lumen SIP - NYC');
    await second.close();
  });

  it('applies a newer migration to an existing database', async () => {
    const file = tempFile();
    await openSqliteStores({ file }).close();
    const extra = {
      version: Math.max(...migrations.map((m) => m.version)) + 1,
      name: 'extra',
      statements: ['CREATE TABLE extra_table (id {{AUTO_ID}}, v TEXT)'],
    };
    const store = openSqliteStores({ file, migrations: [...migrations, extra] });
    expect(await store.database.appliedMigrations()).toEqual([...migrations.map((m) => m.version), extra.version]);
    await store.close();
  });

  it('upgrades a database made by an earlier release in place, keeping its rows', async () => {
    const file = tempFile();
    const old = openSqliteStores({ file, migrations: migrations.slice(0, 1) });
    await old.raiseAlert({ key: 'k', summary: 's', raisedAt: 1, raiseSentAt: null, clearedAt: null });
    await old.close();
    // Audit entries written before kinds existed (migration 6) had only a step.
    const raw = new Database(file);
    const insert = raw.prepare('INSERT INTO audit_log (at, subject, incident_id, step, message, data) VALUES (?, ?, NULL, ?, ?, NULL)');
    for (const [i, step] of ['seen', 'decided', 'sent', 'answered', 'alerted'].entries()) insert.run(i, 'trunkgate:trunk:t1', step, step);
    raw.close();
    const upgraded = openSqliteStores({ file });
    expect(await upgraded.database.appliedMigrations()).toEqual(migrations.map((m) => m.version));
    expect(await upgraded.claimAlerts({ keys: ['k'], purpose: 'raise', owner: 'a', now: 2, leaseMs: 10 })).toEqual(['k']);
    expect((await upgraded.listAudit({ limit: 10 })).map((a) => [a.message, a.kind, a.org])).toEqual([
      ['alerted', 'helpdesk_alert_sent', null],
      ['answered', 'delivery_answered', null],
      ['sent', 'delivery_attempt', null],
      ['decided', 'incident_decided', null],
      ['seen', 'trunk_state_changed', null],
    ]);
    await upgraded.close();
  });

  it('refuses a second connection to a file held by a running store', async () => {
    const file = tempFile();
    const holder = openSqliteStores({ file });
    expect(() => openSqliteStores({ file, busyTimeoutMs: 50 })).toThrow(StoreLockedError);
    await holder.close();
    await openSqliteStores({ file }).close();
  });

  it('releases the delivery leases a killed process left behind when it opens', async () => {
    const file = tempFile();
    const before = openSqliteStores({ file });
    await before.insertIncident(incidentRow());
    const id = await before.enqueueDelivery({ incidentId: 'i1', operation: 'create', payload: {}, at: 1 });
    await before.claimDeliveries({ owner: 'killed', now: 1, leaseMs: 3_600_000, limit: 1 });
    await before.close();
    const after = openSqliteStores({ file });
    expect((await after.claimDeliveries({ owner: 'new', now: 2, leaseMs: 1_000, limit: 1 })).map((d) => d.id)).toEqual([id]);
    await after.close();
  });

  it('reports a closed store through ping', async () => {
    const store = openSqliteStores({ file: tempFile() });
    await store.close();
    await expect(store.ping()).rejects.toThrow();
  });
});
