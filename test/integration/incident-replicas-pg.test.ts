import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openPgStores } from '../../src/app/stores.js';
import { UpstreamUnavailableError } from '../../src/errors/app-error.js';
import { FakeAlertWebhook, type AlertWebhook } from '../../src/upstream/alert-webhook.js';
import { FakeServiceNowIncidents } from '../../src/upstream/fake-servicenow-incidents.js';
import type { ServiceNowIncidents, ServiceNowRecord } from '../../src/upstream/servicenow-client.js';
import { eventually } from '../support/eventually.js';
import { OverlapProbe, pgReplica, sighting, type PgReplica } from '../support/pg-replica.js';
import { testDatabaseUrl, testSchema } from '../support/postgres.js';

const url = testDatabaseUrl();
const CREDENTIALS_KEY = 'trunkgate:credentials:genesys';

describe.skipIf(!url)('incident pipeline of several replicas sharing one PostgreSQL schema', () => {
  const schema = testSchema(url ?? 'postgres://unused');
  const replicas: PgReplica[] = [];
  const start = (name: string, servicenow: ServiceNowIncidents, extra: { leaseMs?: number; webhook?: AlertWebhook } = {}) =>
    pgReplica({ name, url: url!, schema: schema.name, servicenow, ...extra }).then((r) => (replicas.push(r), r));
  const outboxByOperation = async () =>
    Object.fromEntries(
      (await schema.admin.query(`SELECT operation, count(*)::int AS n FROM ${schema.name}.outbox GROUP BY operation`)).rows.map((r) => [
        r.operation,
        r.n,
      ]),
    );

  beforeAll(async () => {
    await (await openPgStores({ connectionString: url!, schema: schema.name, poolSize: 1 })).close();
  });
  beforeEach(() => schema.truncate());
  afterEach(async () => {
    await Promise.all(replicas.splice(0).map((r) => r.stop()));
  });
  afterAll(() => schema.drop());

  it('two replicas seeing the same 403 at once open exactly one incident per trunk, and neither fails', async () => {
    const sn = new FakeServiceNowIncidents();
    const [a, b] = [await start('a', sn), await start('b', sn)];
    const trunks = Array.from({ length: 20 }, (_, i) => `race-${i}`);
    const results = await Promise.allSettled(
      trunks.flatMap((t) => [a.ingest.record(sighting(t, 'rejected')), b.ingest.record(sighting(t, 'rejected'))]),
    );
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const incidents = await a.store.listIncidents({ limit: 100 });
    expect(incidents).toHaveLength(20);
    expect(new Set(incidents.map((i) => i.correlationId)).size).toBe(20);
    expect(await outboxByOperation()).toEqual({ create: 20 });
  });

  it('a write refused by the unique index (another replica opened the incident first) is decided again, not failed', async () => {
    const sn = new FakeServiceNowIncidents();
    const [a, b] = [await start('a', sn), await start('b', sn)];
    const key = 'trunkgate:trunk:t-conflict';
    let commit!: () => void;
    const committing = new Promise<void>((resolve) => (commit = resolve));
    // Replica b has inserted the open incident but not committed it yet when replica a decides.
    const other = b.store.transaction(async (tx) => {
      await tx.insertIncident({
        id: 'from-b',
        correlationId: key,
        trunkId: 't-conflict',
        trunkBaseId: null,
        kind: 'registration_rejected',
        open: true,
        openedAt: Date.now(),
        resolvedAt: null,
        reopenedAt: null,
        reopenCount: 0,
        sysId: null,
        number: null,
        servicenowState: null,
        lastNoteAt: null,
        changesSinceNote: 0,
        updatedAt: Date.now(),
        org: 'default',
        servicenowInstance: 'default',
      });
      await committing;
    });
    const decided = a.ingest.record(sighting('t-conflict', 'rejected'));
    // Replica a's insert now waits on the unique index for b's transaction (seen in pg_stat_activity, not guessed with a sleep).
    await eventually(async () => {
      const { rows } = await schema.admin.query(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'",
        [a.appName],
      );
      expect(rows[0].n).toBe(1);
    });
    commit();
    await other;
    expect(await decided).toBe(true);
    expect((await a.store.listIncidents({ limit: 10 })).map((i) => [i.id, i.open])).toEqual([['from-b', true]]);
    expect(a.log.text()).toContain('another writer got there first; recording again');
    expect(a.log.text()).toContain('an open incident already exists for trunkgate:trunk:t-conflict');
  });

  it('Genesys credentials failing and recovering on both replicas at once: one incident, one resolve and one reopen per relapse', async () => {
    const sn = new FakeServiceNowIncidents();
    const [a, b] = [await start('a', sn), await start('b', sn)];
    for (let cycle = 0; cycle < 5; cycle += 1) {
      const at = Date.now();
      await Promise.all([
        a.incidents.credentials.failed({ at, message: 'invalid_client', permanent: true }),
        b.incidents.credentials.failed({ at, message: 'invalid_client', permanent: true }),
      ]);
      await Promise.all([a.incidents.credentials.recovered(Date.now()), b.incidents.credentials.recovered(Date.now())]);
    }
    const incidents = await a.store.listIncidents({ limit: 10 });
    expect(incidents.map((i) => [i.correlationId, i.open, i.reopenCount])).toEqual([[CREDENTIALS_KEY, false, 4]]);
    expect(await outboxByOperation()).toMatchObject({ create: 1, resolve: 5, reopen: 4 });
  });

  it('two relays share the outbox: each delivery once, each incident in order, never two of one incident at once', async () => {
    const probe = new OverlapProbe(new FakeServiceNowIncidents());
    const [a, b] = [await start('a', probe), await start('b', probe)];
    a.relay.start();
    b.relay.start();
    const trunks = Array.from({ length: 20 }, (_, i) => `flap-${i}`);
    const states = ['rejected', 'registered', 'rejected', 'registered'] as const;
    for (let step = 0; step < states.length; step += 1) {
      // Each change is decided on one replica or the other; both relays deliver.
      await Promise.all(trunks.map((t, i) => [a, b][(i + step) % 2]!.ingest.record(sighting(t, states[step]!))));
    }
    await eventually(async () => expect(await a.store.outboxDepth()).toBe(0));
    const records = [...probe.inner.records.values()];
    expect(records).toHaveLength(20);
    // In order per incident: resolve, reopen, resolve (a reopen delivered before its resolve would end In Progress).
    for (const r of records) {
      expect(r.state).toBe('6');
      expect(probe.inner.calls.filter((c) => c.operation === 'update' && c.sysId === r.sys_id).map((c) => c.fields?.state)).toEqual([
        '6',
        '2',
        '6',
      ]);
    }
    expect(probe.inner.calls.filter((c) => c.operation === 'create')).toHaveLength(20);
    expect(probe.inner.calls.filter((c) => c.operation === 'update')).toHaveLength(60);
    expect(probe.overlaps).toEqual([]);
  });

  it('three replicas checking the same stuck delivery send the helpdesk one alert, and one when it is delivered', async () => {
    const sn = new FakeServiceNowIncidents();
    const webhook = new FakeAlertWebhook();
    const [a, b, c] = [await start('a', sn, { webhook }), await start('b', sn, { webhook }), await start('c', sn, { webhook })];
    sn.failNext(
      new UpstreamUnavailableError('servicenow cannot be reached (ECONNREFUSED)', { upstream: 'servicenow', operation: 'GET incident' }),
      undefined,
      1_000,
    );
    await a.ingest.record(sighting('t-stuck', 'rejected'));
    a.relay.start();
    await eventually(async () => expect(await b.store.listStuckDeliveries(Date.now())).toHaveLength(1));
    const checkAll = async () => {
      for (let round = 0; round < 2; round += 1) await Promise.all([a, b, c].map((r) => r.alerts.check()));
    };
    await checkAll();
    expect(webhook.messages).toHaveLength(1);
    expect(webhook.messages[0]).toContain('SIP trunk Trunk t-stuck (id t-stuck)');
    sn.clearFailures();
    await eventually(async () => expect(await a.store.outboxDepth()).toBe(0));
    await checkAll();
    expect(webhook.messages).toHaveLength(2);
    expect(webhook.messages[1]).toMatch(/^✅ trunkgate: resolved \(1\)/);
    expect(await c.store.listAlerts()).toEqual([]);
  });

  it('a relay killed in the middle of a delivery: its lease runs out and another replica delivers the entry, once', async () => {
    const sn = new FakeServiceNowIncidents();
    const hung = new HangingServiceNow();
    const killed = await start('killed', hung, { leaseMs: 500 });
    const survivor = await start('survivor', sn);
    await killed.ingest.record(sighting('t-orphan', 'rejected'));
    killed.relay.start();
    await hung.reached;
    // The killed replica never answers again; the survivor's relay polls and takes over after the lease.
    survivor.relay.start();
    await eventually(async () => expect(await survivor.store.outboxDepth()).toBe(0));
    expect([...sn.records.values()].map((r) => r.correlation_id)).toEqual(['trunkgate:trunk:t-orphan']);
    const [incident] = await survivor.store.listIncidents({ limit: 1 });
    expect(incident).toMatchObject({ sysId: [...sn.records.keys()][0], pendingDeliveries: 0 });
  });
});

/** A ServiceNow that takes the first call and never answers it (the process asking was killed); aborts end it. */
class HangingServiceNow implements ServiceNowIncidents {
  private reach!: () => void;
  readonly reached = new Promise<void>((resolve) => (this.reach = resolve));

  private hang(signal?: AbortSignal): Promise<never> {
    this.reach();
    return new Promise((_, reject) => signal?.addEventListener('abort', () => reject(signal.reason), { once: true }));
  }

  create(_fields: Record<string, unknown>, signal?: AbortSignal): Promise<ServiceNowRecord> {
    return this.hang(signal);
  }

  update(_sysId: string, _fields: Record<string, unknown>, signal?: AbortSignal): Promise<ServiceNowRecord> {
    return this.hang(signal);
  }

  query(_q: string, options?: { signal?: AbortSignal }): Promise<ServiceNowRecord[]> {
    return this.hang(options?.signal);
  }

  workNotesContain(_sysId: string, _text: string, options?: { signal?: AbortSignal }): Promise<boolean> {
    return this.hang(options?.signal);
  }
}
