import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultTrunkBaseIds, defaultTrunkIds } from '../../src/sim/genesys/index.js';
import type { Simulators } from '../../src/sim/start-simulators.js';
import { apiClient } from '../support/api-client.js';
import { startProcess, type AppProcess } from '../support/app-process.js';
import { eventually } from '../support/eventually.js';
import { testDatabaseUrl, testSchema } from '../support/postgres.js';
import { adminClient, CuttableProxy, deletePrefix, randomPrefix, testRedisUrl } from '../support/redis.js';
import { startTestSims } from '../support/sims.js';
import { testEnv } from '../support/test-config.js';

const databaseUrl = testDatabaseUrl();
const redisUrl = testRedisUrl();
const TRUNK = defaultTrunkIds.lumenSecondary;
// One of the Lumen carrier's trunks: the incident is the carrier's (INCIDENT_GROUP_BY=trunkBase, the default).
const KEY = `trunkgate:trunkbase:${defaultTrunkBaseIds.lumen}`;
const POLL_MS = 2_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Issue 6: three real trunkgate processes on one PostgreSQL schema and one Redis prefix (reached through
 * a proxy the test can cut, so the shared Redis server keeps serving other suites), against the
 * simulators. They must behave as one.
 */
describe.skipIf(!databaseUrl || !redisUrl)('three replicas on PostgreSQL and Redis', () => {
  let sims: Simulators;
  let schema: ReturnType<typeof testSchema>;
  let proxy: CuttableProxy;
  const prefix = randomPrefix();
  const replicas: AppProcess[] = [];
  const log = (line: string) => process.stderr.write(`[three-replicas] ${line}\n`);

  const alive = () => replicas.filter((r) => r.child.exitCode === null && r.child.signalCode === null);
  const apis = () => alive().map((r) => apiClient(r.url));
  const snIncidents = () => sims.servicenow.incidents().filter((i) => i.fields.correlation_id === KEY);
  async function leaders(): Promise<AppProcess[]> {
    const live = alive();
    const flags = await Promise.all(
      live.map(async (r) => /^trunkgate_leader\{[^}]*\} 1$/m.test(await (await fetch(`${r.url}/metrics`)).text())),
    );
    return live.filter((_, i) => flags[i]);
  }

  /** get-trunk callers spread over the live replicas until `done()`; returns calls and caller-visible errors. */
  async function load(done: () => boolean, callers = 24): Promise<{ calls: number; errors: string[] }> {
    let calls = 0;
    const errors: string[] = [];
    await Promise.all(
      Array.from({ length: callers }, async (_, i) => {
        for (let n = i; !done(); n += 1) {
          const targets = apis();
          const res = await targets[n % targets.length]!.post('/v1/actions/get-trunk', { trunkId: defaultTrunkIds.lumenPrimary });
          calls += 1;
          if (res.status !== 200) errors.push(`${res.status} ${JSON.stringify(res.body?.error ?? res.body)}`);
          await sleep(30);
        }
      }),
    );
    return { calls, errors };
  }

  beforeAll(async () => {
    const started = await startTestSims({ genesys: { tokenLifetimeSec: 6, propagationLagMs: 500, rateLimitPerMinute: 1_000_000 } });
    sims = started.sims;
    schema = testSchema(databaseUrl!);
    proxy = await CuttableProxy.forUrl(redisUrl!).start();
    const env = testEnv({
      ...started.env,
      DATABASE_URL: databaseUrl,
      DATABASE_SCHEMA: schema.name,
      REDIS_URL: `redis://127.0.0.1:${proxy.port}`,
      REDIS_KEY_PREFIX: prefix,
      TOKEN_CACHE_KEY: randomBytes(32).toString('base64'),
      MONITOR_POLL_INTERVAL_MS: String(POLL_MS),
      INCIDENT_OPEN_AFTER_MS: '500',
      INCIDENT_RESOLVE_AFTER_MS: '1500',
      INCIDENT_NOTE_INTERVAL_MS: '0',
      LOG_LEVEL: 'warn',
    });
    replicas.push(...(await Promise.all([0, 1, 2].map(() => startProcess('test/support/serve-trunkgate.ts', env, 60_000)))));
    await eventually(async () => expect(await leaders()).toHaveLength(1), { timeoutMs: 20_000 });
  }, 120_000);

  afterAll(async () => {
    for (const r of replicas) if (r.child.exitCode === null) r.child.kill('SIGKILL');
    await Promise.all(replicas.map((r) => r.exited));
    await proxy?.close();
    await sims?.close();
    await schema?.drop();
    if (redisUrl) {
      const admin = adminClient(redisUrl);
      await deletePrefix(admin, prefix);
      admin.disconnect();
    }
  });

  it('under load across token rotations: one token request per rotation cluster-wide, no caller error, no expired token', async () => {
    const refreshCounts = () =>
      Promise.all(
        apis().map(
          async (a) =>
            ((await a.get('/v1/credentials')).body.upstreams as Array<{ name: string; refreshCount: number }>).find(
              (u) => u.name === 'genesys',
            )!.refreshCount,
        ),
      );
    const before = sims.genesys.stats();
    const countsBefore = await refreshCounts();
    const until = Date.now() + 15_000;
    const result = await load(() => Date.now() > until);
    const after = sims.genesys.stats();
    const rotations = (await refreshCounts()).map((c, i) => c - countsBefore[i]!);
    const tokenRequests = after.tokenRequests - before.tokenRequests;
    log(
      `calls ${result.calls}, caller errors ${result.errors.length}, token requests ${tokenRequests}, rotations seen by each replica ${rotations.join('/')}`,
    );
    expect(result.errors).toEqual([]);
    expect(Math.min(...rotations)).toBeGreaterThanOrEqual(3); // every replica moved through the tokens…
    expect(Math.abs(tokenRequests - Math.max(...rotations))).toBeLessThanOrEqual(1); // …that the cluster fetched once each
    expect(after.callsWithExpiredToken - before.callsWithExpiredToken).toBe(0);
  }, 60_000);

  it('a trunk rejected with 403 → exactly one incident, and every replica answers the same', async () => {
    sims.genesys.control.setTrunkState(TRUNK, { state: 'rejected', sipCode: 403 });
    await eventually(() => expect(snIncidents()).toHaveLength(1), { timeoutMs: 20_000 });
    const [incident] = snIncidents();
    await sleep(2 * POLL_MS); // two more polls by the leader: still one
    expect(snIncidents()).toHaveLength(1);
    for (const api of apis()) {
      await eventually(async () => {
        expect((await api.get(`/v1/trunks/${TRUNK}`)).body).toMatchObject({
          state: 'rejected',
          sipCode: 403,
          incident: { number: incident!.number, sysId: incident!.sysId },
        });
        const { incidents } = (await api.get('/v1/incidents')).body as { incidents: Array<{ correlationId: string }> };
        expect(incidents.filter((i) => i.correlationId === KEY)).toHaveLength(1);
      });
    }
  }, 60_000);

  it('the leader killed with kill -9: a follower takes over within two poll intervals and still resolves the recovery', async () => {
    const [leader] = await leaders();
    leader!.child.kill('SIGKILL');
    await leader!.exited;
    const killedAt = Date.now();
    await eventually(async () => expect(await leaders()).toHaveLength(1), { timeoutMs: 10_000, intervalMs: 100 });
    const takeoverMs = Date.now() - killedAt;
    log(`takeover after kill -9: ${takeoverMs} ms (poll interval ${POLL_MS} ms)`);
    expect(takeoverMs).toBeLessThan(2 * POLL_MS);
    sims.genesys.control.setTrunkState(TRUNK, { state: 'registered' });
    await eventually(() => expect(snIncidents()[0]!.fields).toMatchObject({ state: '6', close_code: expect.any(String) }), {
      timeoutMs: 20_000,
    });
    expect(snIncidents()).toHaveLength(1);
  }, 60_000);

  it('Redis cut for a while: callers see no error, and leadership comes back when it returns', async () => {
    let stop = false;
    const loading = load(() => stop, 12);
    await sleep(1_000);
    await proxy.cut('refuse');
    await sleep(8_000); // longer than a token's life: the replicas refresh on their own meanwhile
    await proxy.restore();
    await sleep(2_000);
    stop = true;
    const result = await loading;
    log(`through an 8 s Redis cut: calls ${result.calls}, caller errors ${result.errors.length}`);
    expect(result.errors).toEqual([]);
    await eventually(async () => expect(await leaders()).toHaveLength(1), { timeoutMs: 15_000 });
  }, 60_000);
});
