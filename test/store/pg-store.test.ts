import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { migrations } from '../../src/store/sql/migrations.js';
import type { PgDatabase, PgDatabaseOptions } from '../../src/store/pg-database.js';
import { openPgStores, type AppStores } from '../../src/app/stores.js';
import { testDatabaseUrl, testSchema, uniqueAppName } from '../support/postgres.js';
import { closedPort, CuttableProxy } from '../support/redis.js';
import { describeStoreContract, incidentRow, trunkRow } from './store-contract.js';

type PgStores = AppStores<PgDatabase>;

const url = testDatabaseUrl();

describe.skipIf(!url)('PostgreSQL stores (real PostgreSQL)', () => {
  const schema = testSchema(url ?? 'postgres://unused');
  const stores: PgStores[] = [];
  const open = async (options: Partial<PgDatabaseOptions> = {}) => {
    const store = await openPgStores({ connectionString: url!, schema: schema.name, poolSize: 4, ...options });
    stores.push(store);
    return store;
  };

  beforeAll(async () => {
    await (await openPgStores({ connectionString: url!, schema: schema.name, poolSize: 1 })).close();
  });
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
  });
  afterAll(async () => {
    await schema.drop();
  });

  describeStoreContract('PostgreSQL stores', {
    create: async () => {
      await schema.truncate();
      return openPgStores({ connectionString: url!, schema: schema.name, poolSize: 4 });
    },
    destroy: (store: AppStores) => store.close(),
  });

  describe('schema and migrations', () => {
    it('creates its schema and applies each migration once, even when three replicas start together', async () => {
      const fresh = testSchema(url!);
      try {
        const replicas = await Promise.all([1, 2, 3].map(() => openPgStores({ connectionString: url!, schema: fresh.name, poolSize: 1 })));
        stores.push(...replicas);
        for (const r of replicas) expect(await r.database.appliedMigrations()).toEqual(migrations.map((m) => m.version));
        const { rows } = await fresh.admin.query('SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = $1', [fresh.name]);
        expect(rows[0].n).toBe(11);
        await replicas[0]!.upsertTrunk(trunkRow());
        expect((await replicas[2]!.getTrunk('t1'))?.name).toBe('Lumen SIP - NYC');
      } finally {
        await Promise.all(stores.splice(0).map((s) => s.close()));
        await fresh.drop();
      }
    });

    it('applies a newer migration to an existing schema, and leaves nothing behind when one fails', async () => {
      const fresh = testSchema(url!);
      try {
        await (await openPgStores({ connectionString: url!, schema: fresh.name, poolSize: 1 })).close();
        const next = Math.max(...migrations.map((m) => m.version)) + 1;
        const broken = {
          version: next,
          name: 'broken',
          statements: ['CREATE TABLE extra_table (id {{AUTO_ID}}, v TEXT)', 'CREATE TABLE extra_table (id INTEGER)'],
        };
        await expect(
          openPgStores({ connectionString: url!, schema: fresh.name, poolSize: 1, migrations: [...migrations, broken] }),
        ).rejects.toThrow(/already exists/);
        const { rows } = await fresh.admin.query(
          "SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = $1 AND tablename = 'extra_table'",
          [fresh.name],
        );
        expect(rows[0].n).toBe(0);
        const extra = { version: next, name: 'extra', statements: ['CREATE TABLE extra_table (id {{AUTO_ID}}, v TEXT)'] };
        const store = await openPgStores({ connectionString: url!, schema: fresh.name, poolSize: 1, migrations: [...migrations, extra] });
        expect(await store.database.appliedMigrations()).toEqual([...migrations.map((m) => m.version), next]);
        await store.close();
      } finally {
        await fresh.drop();
      }
    });

    it('refuses a schema name that would need quoting', async () => {
      await expect(openPgStores({ connectionString: url!, schema: 'Bad; DROP SCHEMA public' })).rejects.toThrow(
        /invalid PostgreSQL schema name/,
      );
    });
  });

  describe('several replicas on one schema', () => {
    beforeEach(() => schema.truncate());

    it('keeps the delivery leases of other replicas when a store opens (unlike SQLite, it is not alone)', async () => {
      const a = await open();
      await a.insertIncident(incidentRow());
      const id = await a.enqueueDelivery({ incidentId: 'i1', operation: 'create', payload: {}, at: 1 });
      expect((await a.claimDeliveries({ owner: 'replica-a', now: 1, leaseMs: 3_600_000, limit: 1 })).map((d) => d.id)).toEqual([id]);
      const b = await open();
      expect(await b.claimDeliveries({ owner: 'replica-b', now: 2, leaseMs: 1_000, limit: 1 })).toEqual([]);
      expect(await b.completeDelivery(id, 'replica-b')).toBe(false);
      expect(await a.completeDelivery(id, 'replica-a')).toBe(true);
    });

    it('lets exactly one of two replicas open the incident of each key (the unique index across connections)', async () => {
      const [a, b] = [await open(), await open()];
      const keys = Array.from({ length: 20 }, (_, i) => `trunkgate:trunk:race-${i}`);
      const results = await Promise.all(
        keys.map((key, i) =>
          Promise.allSettled([
            a.transaction((tx) => tx.insertIncident(incidentRow({ id: `a-${i}`, correlationId: key }))),
            b.transaction((tx) => tx.insertIncident(incidentRow({ id: `b-${i}`, correlationId: key }))),
          ]),
        ),
      );
      for (const pair of results) {
        expect(pair.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        expect((pair.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason.name).toBe('OpenIncidentConflictError');
      }
      expect(await a.listOpenIncidents()).toHaveLength(20);
    });

    it("claims past the rows another relay is claiming right now instead of waiting for them, and never an incident's second entry", async () => {
      // Without SKIP LOCKED the second claim would wait for the first transaction: it fails at the statement timeout.
      const [a, b] = [await open({ statementTimeoutMs: 2_000 }), await open({ statementTimeoutMs: 2_000 })];
      for (const id of ['p', 'q', 'r']) {
        await a.insertIncident(incidentRow({ id, correlationId: `k-${id}` }));
        await a.enqueueDelivery({ incidentId: id, operation: 'create', payload: {}, at: 1 });
        await a.enqueueDelivery({ incidentId: id, operation: 'note', payload: {}, at: 1 });
      }
      let finish!: () => void;
      const finished = new Promise<void>((resolve) => (finish = resolve));
      let claimedByA!: () => void;
      const aHasClaimed = new Promise<void>((resolve) => (claimedByA = resolve));
      const first = a.transaction(async (tx) => {
        const got = await tx.claimDeliveries({ owner: 'a', now: 1, leaseMs: 60_000, limit: 2 });
        claimedByA();
        await finished;
        return got;
      });
      await aHasClaimed;
      const second = await b.claimDeliveries({ owner: 'b', now: 1, leaseMs: 60_000, limit: 10 }).finally(finish);
      const firstGot = await first;
      expect(firstGot.map((d) => [d.incidentId, d.seq])).toEqual([
        ['p', 1],
        ['q', 1],
      ]);
      expect(second.map((d) => [d.incidentId, d.seq])).toEqual([['r', 1]]);
      expect(await b.claimDeliveries({ owner: 'b', now: 2, leaseMs: 60_000, limit: 10 })).toEqual([]);
    });

    it('runs a transaction chosen as a deadlock victim again instead of failing it', async () => {
      const [a, b] = [await open(), await open()];
      await a.upsertTrunk(trunkRow({ trunkId: 'x' }));
      await a.upsertTrunk(trunkRow({ trunkId: 'y' }));
      // Each takes one trunk's lock, then waits for the other's: PostgreSQL aborts one of them.
      let bothHoldOne!: () => void;
      const holding = new Promise<void>((resolve) => (bothHoldOne = resolve));
      let held = 0;
      const attempts = { a: 0, b: 0 };
      const crossing = (store: PgStores, name: 'a' | 'b', first: string, second: string) =>
        store.transaction(async (tx) => {
          attempts[name] += 1;
          await tx.getTrunk(first, { forUpdate: true });
          if (attempts[name] === 1 && ++held === 2) bothHoldOne();
          if (attempts[name] === 1) await holding;
          await tx.upsertTrunk(trunkRow({ trunkId: second, name: `by ${name}` }));
          return name;
        });
      expect(await Promise.all([crossing(a, 'a', 'x', 'y'), crossing(b, 'b', 'y', 'x')])).toEqual(['a', 'b']);
      // At least one victim ran again. The victim's retry can win the race for the row the survivor was
      // waiting on and deadlock once more (a fourth attempt): that too must end with both committed.
      expect(attempts.a + attempts.b).toBeGreaterThanOrEqual(3);
    });
  });

  describe('when PostgreSQL is unreachable or drops connections', () => {
    const proxies: CuttableProxy[] = [];
    beforeEach(() => schema.truncate());
    afterEach(async () => {
      await Promise.all(proxies.splice(0).map((p) => p.close()));
    });

    it('fails to open with the connection error (start-up stops), without the password in it', async () => {
      const port = await closedPort();
      const err = await openPgStores({
        connectionString: `postgres://postgres:hunter2@127.0.0.1:${port}/test`,
        schema: schema.name,
        connectTimeoutMs: 1_000,
      }).catch((e: Error) => e);
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).message).toMatch(
        /^cannot open the PostgreSQL store \(DATABASE_URL, schema tg_test_[0-9a-f]+\): connect ECONNREFUSED/,
      );
      expect(JSON.stringify({ message: (err as Error).message, stack: (err as Error).stack })).not.toContain('hunter2');
    });

    it('fails ping and calls while cut, and works again once PostgreSQL is back', async () => {
      const proxy = await CuttableProxy.forUrl(url!).start();
      proxies.push(proxy);
      const store = await open({ connectionString: proxy.url(url!), connectTimeoutMs: 1_000 });
      await store.upsertTrunk(trunkRow());
      await proxy.cut('refuse');
      await expect(store.ping()).rejects.toThrow();
      await expect(store.getTrunk('t1')).rejects.toThrow();
      await expect(store.transaction((tx) => tx.upsertTrunk(trunkRow({ trunkId: 't2' })))).rejects.toThrow();
      await proxy.restore();
      await store.ping();
      expect((await store.getTrunk('t1'))?.trunkId).toBe('t1');
      expect(await store.getTrunk('t2')).toBeNull();
    });

    it('replaces connections the server terminated (restart, failover) without crashing the process', async () => {
      const app = uniqueAppName('terminated');
      const store = await open({ applicationName: app });
      await Promise.all([store.ping(), store.transaction((tx) => tx.upsertTrunk(trunkRow())), store.listTrunks()]);
      expect(await schema.terminate(app)).toBeGreaterThan(0);
      // Every pooled connection is dead: the first statements may each pick one, and are run again on a
      // fresh connection (the server refused them before they ran), so no caller sees the failover.
      const [trunk] = await Promise.all([store.getTrunk('t1'), store.listTrunks(), store.ping()]);
      expect(trunk?.trunkId).toBe('t1');
      await Promise.all([store.ping(), store.ping(), store.ping()]); // three fresh, idle connections…
      expect(await schema.terminate(app)).toBeGreaterThan(0); // …killed too, so the transaction may land on one
      await store.transaction((tx) => tx.upsertTrunk(trunkRow({ trunkId: 't2' })));
      expect((await store.listTrunks()).map((t) => t.trunkId)).toEqual(['t1', 't2']);
    });

    it('survives its connection being terminated in the middle of a transaction: that transaction fails, the next works', async () => {
      const app = uniqueAppName('mid-tx');
      const store = await open({ applicationName: app, poolSize: 1 });
      const outcome = await store
        .transaction(async (tx) => {
          await tx.upsertTrunk(trunkRow());
          await schema.terminate(app);
          // Wait (by asking the server, not by sleeping) until the backend is gone: its FATAL message has been sent.
          await eventuallyValue(async () => {
            const { rows } = await schema.admin.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1', [app]);
            if (rows[0].n !== 0) throw new Error('still there');
          }, 200);
          return tx.getTrunk('t1');
        })
        .then(
          () => 'committed',
          () => 'failed',
        );
      expect(outcome).toBe('failed');
      await store.transaction((tx) => tx.upsertTrunk(trunkRow({ trunkId: 't2' })));
      expect((await store.listTrunks()).map((t) => t.trunkId)).toEqual(['t2']);
    });

    it('refuses calls once closed', async () => {
      const store = await openPgStores({ connectionString: url!, schema: schema.name, poolSize: 1 });
      await store.close();
      await expect(store.ping()).rejects.toThrow(/closed/);
      await expect(store.listTrunks()).rejects.toThrow();
    });
  });
});

/** The first call after connections were killed may still pick a dead one; the next must work. */
async function eventuallyValue<T>(fn: () => Promise<T>, tries = 3): Promise<T> {
  for (let i = 1; ; i += 1) {
    try {
      return await fn();
    } catch (err) {
      if (i >= tries) throw err;
    }
  }
}
