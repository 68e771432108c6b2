import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createApp, type TrunkgateApp } from '../../src/app/create-app.js';
import { defaultTrunkBaseIds, defaultTrunkIds } from '../../src/sim/genesys/index.js';
import type { Simulators } from '../../src/sim/start-simulators.js';
import { apiClient } from '../support/api-client.js';
import { eventually } from '../support/eventually.js';
import { testDatabaseUrl, testSchema, uniqueAppName } from '../support/postgres.js';
import { CuttableProxy } from '../support/redis.js';
import { startTestSims } from '../support/sims.js';
import { memoryLogger, testConfig } from '../support/test-config.js';

const databaseUrl = testDatabaseUrl();
const TRUNK = defaultTrunkIds.lumenPrimary;
// The events name the trunk's base, so the incident is the carrier's whether or not the monitor's first poll came first.
const BASE = { id: defaultTrunkBaseIds.lumen };
const KEY = `trunkgate:trunkbase:${BASE.id}`;

describe.skipIf(!databaseUrl)('trunkgate on PostgreSQL (DATABASE_URL)', () => {
  const schema = testSchema(databaseUrl ?? 'postgres://unused');
  let sims: Simulators | undefined;
  let app: TrunkgateApp | undefined;
  let proxy: CuttableProxy | undefined;
  afterEach(async () => {
    await app?.close();
    await sims?.close();
    await proxy?.close();
    app = sims = proxy = undefined;
    await schema.truncate();
  });
  afterAll(() => schema.drop());

  it('fails readiness while PostgreSQL is unreachable, refuses sightings, and delivers once it is back; close() ends the pool', async () => {
    const started = await startTestSims();
    sims = started.sims;
    proxy = await CuttableProxy.forUrl(databaseUrl!).start();
    const appName = uniqueAppName('app');
    const url = new URL(proxy.url(databaseUrl!));
    url.searchParams.set('application_name', appName);
    const log = memoryLogger('warn');
    app = await createApp(
      testConfig({ ...started.env, DATABASE_URL: url.toString(), DATABASE_SCHEMA: schema.name, INCIDENT_OPEN_AFTER_MS: '0' }),
      { logger: log.logger, processMetrics: false },
    );
    const api = apiClient(await app.listen(0, '127.0.0.1'));
    expect(app.store.kind).toBe('postgres');
    await eventually(async () => expect((await api.get('/readyz')).body.checks.store).toEqual({ ok: true, detail: 'postgres' }));

    await proxy.cut('refuse');
    const notReady = await api.get('/readyz');
    expect(notReady.status).toBe(503);
    expect(notReady.body.checks.store.ok).toBe(false);
    const refused = await api.post('/v1/events', { eventId: 'ev-down', trunkId: TRUNK, trunkBase: BASE, state: 'rejected', sipCode: 403 });
    // Nothing was recorded and the sender may resend: 503 with Retry-After, not a 500 "bug on our side".
    expect(refused.status).toBe(503);
    expect(refused.body.error.code).toBe('store_unavailable');
    expect(refused.headers['retry-after']).toBe('5');
    expect((await api.get(`/v1/trunks/${TRUNK}`)).body.error.code).toBe('store_unavailable');
    expect(JSON.stringify(refused.body)).not.toContain(String(proxy.port));

    await proxy.restore();
    await eventually(async () => expect((await api.get('/readyz')).status).toBe(200));
    expect(
      (await api.post('/v1/events', { eventId: 'ev-up', trunkId: TRUNK, trunkBase: BASE, state: 'rejected', sipCode: 403 })).body.outcome,
    ).toBe('applied');
    await eventually(() => expect(sims!.servicenow.incidents().filter((i) => i.fields.correlation_id === KEY)).toHaveLength(1));

    const connected = async () =>
      Number(
        (await schema.admin.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1', [appName])).rows[0].n,
      );
    expect(await connected()).toBeGreaterThan(0);
    await app.close();
    app = undefined;
    await eventually(async () => expect(await connected()).toBe(0));
  });

  it('shuts down cleanly while PostgreSQL is unreachable, leaving the queued delivery for the next start', async () => {
    const started = await startTestSims();
    sims = started.sims;
    proxy = await CuttableProxy.forUrl(databaseUrl!).start();
    const env = { ...started.env, DATABASE_URL: proxy.url(databaseUrl!), DATABASE_SCHEMA: schema.name, INCIDENT_OPEN_AFTER_MS: '0' };
    app = await createApp(testConfig(env), { logger: memoryLogger('error').logger, processMetrics: false });
    const api = apiClient(await app.listen(0, '127.0.0.1'));
    await sims.servicenow.control.outage({ mode: '503' });
    expect((await api.post('/v1/events', { eventId: 'ev-queued', trunkId: TRUNK, trunkBase: BASE, state: 'dropped' })).body.outcome).toBe(
      'applied',
    );
    // The relay has tried once and recorded the 503, so the entry is queued, not leased, when the database goes.
    await eventually(async () =>
      expect((await api.get('/v1/incidents')).body.incidents[0]).toMatchObject({
        pendingDeliveries: 1,
        lastDeliveryError: expect.any(String),
      }),
    );
    await proxy.cut('refuse');
    await expect(app.close()).resolves.toBeUndefined();
    app = undefined;

    await proxy.restore();
    await sims.servicenow.control.restore();
    app = await createApp(testConfig(env), { logger: memoryLogger('error').logger, processMetrics: false });
    await app.listen(0, '127.0.0.1');
    // Should the relay have been retrying it at the very moment of the cut, the entry stays leased to the
    // closed process until the lease runs out (60 s), as after a kill -9: it is delivered then.
    await eventually(() => expect(sims!.servicenow.incidents().filter((i) => i.fields.correlation_id === KEY)).toHaveLength(1), {
      timeoutMs: 75_000,
    });
  }, 100_000);
});
