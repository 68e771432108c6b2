import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openPgStores } from '../../src/app/stores.js';
import { FakeServiceNowIncidents } from '../../src/upstream/fake-servicenow-incidents.js';
import { pgReplica, sighting, type PgReplica } from '../support/pg-replica.js';
import { testDatabaseUrl, testSchema } from '../support/postgres.js';

const url = testDatabaseUrl();
const iso = (ms: number) => new Date(ms).toISOString();

describe.skipIf(!url)('maintenance windows on several replicas sharing one PostgreSQL schema', () => {
  const schema = testSchema(url ?? 'postgres://unused');
  const replicas: PgReplica[] = [];
  const start = (name: string, servicenow: FakeServiceNowIncidents) =>
    pgReplica({ name, url: url!, schema: schema.name, servicenow }).then((r) => (replicas.push(r), r));

  beforeAll(async () => {
    await (await openPgStores({ connectionString: url!, schema: schema.name, poolSize: 1 })).close();
  });
  beforeEach(() => schema.truncate());
  afterEach(async () => {
    await Promise.all(replicas.splice(0).map((r) => r.stop()));
  });
  afterAll(() => schema.drop());

  it('a window created on one replica suppresses the failures another sees (after its refresh), audited once', async () => {
    const sn = new FakeServiceNowIncidents();
    const [a, b] = [await start('a', sn), await start('b', sn)];
    await a.ingest.record(sighting('t-under', 'registered'));
    const w = await a.incidents.maintenance.create(
      { scope: { trunkId: 't-under' }, endsAt: iso(Date.now() + 600_000), reason: 'carrier maintenance' },
      'noc',
    );
    // B has not refreshed its cache yet: its views read the store, and show the window at once.
    expect((await b.incidents.maintenance.current()).map((x) => x.id)).toEqual([w.id]);
    await b.incidents.tick();
    await Promise.all([
      b.ingest.record(sighting('t-under', 'rejected')),
      a.ingest.record(sighting('t-under', 'rejected')),
      b.ingest.record(sighting('t-other', 'rejected')),
    ]);
    await Promise.all([a.incidents.tick(), b.incidents.tick()]);
    const incidents = await a.store.listIncidents({ limit: 10 });
    expect(incidents.map((i) => i.correlationId)).toEqual(['trunkgate:trunk:t-other']);
    const audit = await a.store.listAudit({ limit: 1000 });
    expect(audit.filter((e) => e.kind === 'incident_suppressed')).toMatchObject([
      { subject: 'trunkgate:trunk:t-under', data: { windowId: w.id } },
    ]);
    // Both replicas checked the window's start: it was announced once.
    expect(audit.filter((e) => e.kind === 'maintenance_started')).toHaveLength(1);

    // Ended on B: A's next tick sees it, and the failure still present opens its incident.
    expect(await b.incidents.maintenance.end(w.id)).toBe(true);
    await a.incidents.tick();
    await a.ingest.record(sighting('t-under', 'rejected'));
    expect((await a.store.listIncidents({ limit: 10 })).map((i) => i.correlationId).sort()).toEqual([
      'trunkgate:trunk:t-other',
      'trunkgate:trunk:t-under',
    ]);
    await Promise.all([a.incidents.tick(), b.incidents.tick()]);
    expect((await a.store.listAudit({ limit: 1000 })).filter((e) => e.kind === 'maintenance_ended')).toHaveLength(1);
  });
});
