import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openPgStores } from '../../src/app/stores.js';
import { orgTrunkBaseIds, orgTrunkIds, type SimOrgSeed } from '../../src/sim/genesys/index.js';
import { startSimulators, type Simulators } from '../../src/sim/start-simulators.js';
import { eventually } from '../support/eventually.js';
import { incidentsWith, orgsConfig, startOrgsApp, writeConnectionsFile, type TestOrg } from '../support/orgs-app.js';
import { testDatabaseUrl, testSchema } from '../support/postgres.js';
import { adminClient, deletePrefix, randomPrefix, testRedisUrl } from '../support/redis.js';

const url = testDatabaseUrl();
const redisUrl = testRedisUrl();
const TOKEN_CACHE_KEY = 'd4'.repeat(32);
const ORGS = ['acme', 'globex'] as const;

type Replica = Awaited<ReturnType<typeof startOrgsApp>>;

describe.skipIf(!url || !redisUrl)('two orgs on two replicas sharing PostgreSQL and Redis', () => {
  const schema = testSchema(url ?? 'postgres://unused');
  const prefix = randomPrefix();
  let admin: Redis;
  let sims: Simulators | undefined;
  const replicas: Replica[] = [];

  beforeAll(async () => {
    admin = adminClient(redisUrl!);
    await (await openPgStores({ connectionString: url!, schema: schema.name, poolSize: 1 })).close();
  });
  afterEach(async () => {
    await Promise.all(replicas.splice(0).map((r) => r.app.close()));
    await sims?.close();
    sims = undefined;
    await schema.truncate();
    await deletePrefix(admin, prefix);
  });
  afterAll(async () => {
    await schema.drop();
    await admin.quit();
  });

  async function keysMatching(pattern: string): Promise<string[]> {
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await admin.scan(cursor, 'MATCH', pattern, 'COUNT', 1_000);
      found.push(...keys);
      cursor = next;
    } while (cursor !== '0');
    return found;
  }

  /** The simulators with both orgs and two instances, and two replicas of one trunkgate (acme → sn-a, globex → sn-b). */
  async function start(options: {
    seeds?: SimOrgSeed[];
    genesys?: { tokenLifetimeSec?: number };
    orgs?: Array<Partial<TestOrg>>;
    instances?: { rateLimitPerHour?: number };
  }) {
    sims = await startSimulators({
      orgs: options.seeds ?? [...ORGS],
      instances: ['sn-a', 'sn-b'],
      genesys: { rateLimitPerMinute: 1_000_000, ...options.genesys },
    });
    const file = writeConnectionsFile(sims, {
      orgs: [
        { ...options.orgs?.[0], name: 'acme', servicenow: 'sn-a' },
        { ...options.orgs?.[1], name: 'globex', servicenow: 'sn-b' },
      ],
      instances: options.instances,
    });
    const env = {
      DATABASE_URL: url!,
      DATABASE_SCHEMA: schema.name,
      DATABASE_POOL_SIZE: '4',
      REDIS_URL: redisUrl!,
      REDIS_KEY_PREFIX: prefix,
      TOKEN_CACHE_KEY,
      MONITOR_NOTIFICATIONS: 'false',
      MONITOR_POLL_INTERVAL_MS: '1000',
      INCIDENT_OPEN_AFTER_MS: '0',
      ACTION_TIMEOUT_MS: '20000',
      SHUTDOWN_GRACE_MS: '0',
    };
    for (let i = 0; i < 2; i += 1) replicas.push(await startOrgsApp(orgsConfig(file, env)));
    return { sims, replicas };
  }

  it('failing trunks of both orgs, seen by the leader and reported to both replicas at once: one incident per subject per org', async () => {
    const [a, b] = (await start({})).replicas as [Replica, Replica];
    await eventually(() => expect([a, b].filter((r) => r.app.leadership.isLeader)).toHaveLength(1));
    const ids = { acme: orgTrunkIds('acme'), globex: orgTrunkIds('globex') };
    for (const org of ORGS) {
      await eventually(async () => expect((await a.api.get(`/v1/trunks?org=${org}`)).body.trunks).toHaveLength(6));
    }
    const failing: Array<[org: string, trunkId: string]> = [
      ['acme', ids.acme.lumenPrimary],
      ['acme', ids.acme.lumenSecondary],
      ['acme', ids.acme.twilio],
      ['globex', ids.globex.lumenPrimary],
      ['globex', ids.globex.acmePbx],
    ];
    for (const [org, trunkId] of failing) sims!.genesys.control.org(org).setTrunkState(trunkId, { state: 'rejected', sipCode: 403 });
    // The same failures reach both replicas through POST /v1/events too, at the same moment.
    const posted = await Promise.all(
      failing.flatMap(([org, trunkId]) =>
        [a, b].map((r, i) => r.api.post('/v1/events', { eventId: `ev-${i}-${trunkId}`, trunkId, org, state: 'rejected', sipCode: 403 })),
      ),
    );
    expect(posted.map((p) => p.status)).toEqual(posted.map(() => 200));

    const expected = {
      'sn-a': [`trunkgate:acme:trunkbase:${orgTrunkBaseIds('acme').lumen}`, `trunkgate:acme:trunkbase:${orgTrunkBaseIds('acme').twilio}`],
      'sn-b': [
        `trunkgate:globex:trunkbase:${orgTrunkBaseIds('globex').lumen}`,
        `trunkgate:globex:trunkbase:${orgTrunkBaseIds('globex').acmePbx}`,
      ],
    };
    // Every incident delivered (nothing left in the outbox), then counted.
    await eventually(async () => {
      const { body } = await b.api.get('/v1/incidents');
      expect(body.incidents).toHaveLength(4);
      expect(
        body.incidents.filter((i: { pendingDeliveries: number; number: string | null }) => i.pendingDeliveries > 0 || !i.number),
      ).toEqual([]);
    });
    for (const [instance, keys] of Object.entries(expected)) {
      const records = sims!.servicenowInstances.get(instance)!.incidents();
      expect(records.map((r) => r.fields.correlation_id).sort()).toEqual([...keys].sort());
      for (const key of keys) expect(incidentsWith(sims!, key)).toHaveLength(1);
    }
    const { rows } = await schema.admin.query(`SELECT org, count(*)::int AS n FROM ${schema.name}.incidents GROUP BY org ORDER BY org`);
    expect(rows).toEqual([
      { org: 'acme', n: 2 },
      { org: 'globex', n: 2 },
    ]);
  }, 60_000);

  it("a wrong secret in one org, seen by both replicas: one credentials incident for that org (the leader's), none for the other", async () => {
    const [a, b] = (await start({ orgs: [{}, { clientSecret: 'not-the-globex-secret' }] })).replicas as [Replica, Replica];
    // Both replicas' globex brokers fail; acme's work on either.
    for (const r of [a, b]) {
      await eventually(() => expect(r.app.orgs[1]!.upstreams.genesys.credentials.snapshot().failureCount).toBeGreaterThan(0));
      expect((await r.api.post('/v1/orgs/acme/actions/get-trunk', { trunkId: orgTrunkIds('acme').twilio })).status).toBe(200);
    }
    await eventually(async () => {
      const { body } = await a.api.get('/v1/incidents?org=globex');
      expect(body.incidents).toMatchObject([{ correlationId: 'trunkgate:globex:credentials', pendingDeliveries: 0 }]);
    });
    // A later leader tick or failure on either replica adds nothing.
    await Promise.all([a, b].map((r) => r.app.watchdog.incidents.tick()));
    expect(incidentsWith(sims!, 'trunkgate:globex:credentials')).toMatchObject([{ instance: 'sn-b' }]);
    expect((await b.api.get('/v1/incidents')).body.incidents).toHaveLength(1);
    expect(sims!.genesys.control.statsByOrg().acme).toMatchObject({ tokenRequests: 1, tokenFailures: 0 });
  }, 60_000);

  it('4 s tokens: each org refreshes once per rotation for both replicas, and every token is used by both', async () => {
    const [a, b] = (await start({ genesys: { tokenLifetimeSec: 4 } })).replicas as [Replica, Replica];
    const seen = new Map(ORGS.map((org) => [org, [new Set<string>(), new Set<string>()]] as const));
    const errors: string[] = [];
    const enough = () => ORGS.every((org) => new Set([...seen.get(org)![0]!, ...seen.get(org)![1]!]).size >= 4);
    const deadline = Date.now() + 40_000;
    // Two callers per org on each replica, using the org's token and its client as an action would.
    await Promise.all(
      [a, b].flatMap((r, i) =>
        r.app.orgs.flatMap((org) =>
          [0, 1].map(async () => {
            while (!enough() && Date.now() < deadline) {
              try {
                seen.get(org.name as (typeof ORGS)[number])![i]!.add((await org.upstreams.genesys.credentials.authorize()).header);
                await org.upstreams.genesys.client.getTrunk(orgTrunkIds(org.name).twilio);
              } catch (err) {
                errors.push(`${org.name} on replica ${i}: ${(err as Error).message}`);
              }
              await new Promise((resolve) => setTimeout(resolve, 100));
            }
          }),
        ),
      ),
    );
    expect(errors).toEqual([]);
    const byOrg = sims!.genesys.control.statsByOrg();
    for (const org of ORGS) {
      const [onA, onB] = seen.get(org)! as [Set<string>, Set<string>];
      const tokens = new Set([...onA, ...onB]);
      expect(tokens.size).toBeGreaterThanOrEqual(4);
      // One grant per rotation for the cluster (±1: the last may be fetched as the callers stop).
      expect(Math.abs(byOrg[org]!.tokenRequests - tokens.size), `${org}: ${byOrg[org]!.tokenRequests} grants`).toBeLessThanOrEqual(1);
      expect([...tokens].filter((t) => onA.has(t) && onB.has(t)).length).toBeGreaterThanOrEqual(tokens.size - 1);
      expect(byOrg[org]).toMatchObject({ tokenFailures: 0, callsWithExpiredToken: 0, callsWithUnknownToken: 0 });
    }
    const [acmeTokens, globexTokens] = ORGS.map((org) => new Set([...seen.get(org)![0]!, ...seen.get(org)![1]!]));
    expect([...acmeTokens!].filter((t) => globexTokens!.has(t))).toEqual([]);
  }, 60_000);

  it("one org's budget, shared by both replicas, saturated: the other org's calls on either replica go through", async () => {
    const off = { enabled: false };
    const [a, b] = (
      await start({
        seeds: [{ name: 'acme', rateLimitPerMinute: 2 }, { name: 'globex' }],
        orgs: [{ rateLimitPerMinute: 2, monitor: off }, { monitor: off }],
        instances: { rateLimitPerHour: 1000 },
      })
    ).replicas as [Replica, Replica];
    const getTrunk = (r: Replica, org: string) => r.api.post(`/v1/orgs/${org}/actions/get-trunk`, { trunkId: orgTrunkIds(org).twilio });
    const waiting = async (r: Replica) =>
      (await r.app.registry.getSingleMetric('trunkgate_pacing_waiting_calls')!.get()).values.find((v) => v.labels.upstream === 'genesys')
        ?.value ?? 0;
    // acme's burst of one is the cluster's: of three calls on each replica, one goes out, five wait.
    const acme = [a, b].flatMap((r) => [0, 1, 2].map(() => getTrunk(r, 'acme').catch(() => undefined)));
    await eventually(async () => expect((await waiting(a)) + (await waiting(b))).toBe(5));
    const route = 'GET /api/v2/telephony/providers/edges/trunks/{trunkId}';
    await eventually(() => expect(sims!.genesys.control.statsByOrg().acme!.byRoute[route]).toBe(1));
    for (let i = 0; i < 10; i += 1) expect((await getTrunk([a, b][i % 2]!, 'globex')).status).toBe(200);
    const byOrg = sims!.genesys.control.statsByOrg();
    expect(byOrg.globex!.byRoute[route]).toBe(10);
    expect(byOrg.acme!.byRoute[route]).toBe(1);
    expect((await waiting(a)) + (await waiting(b))).toBe(5);
    // Each org paces on a bucket of its own in Redis, and so does each ServiceNow instance (its own user's hourly count).
    for (const org of ORGS) expect(await admin.exists(`${prefix}b_${prefix}limits:genesys-api:${org}_settings`)).toBe(1);
    for (const instance of ['sn-a', 'sn-b']) {
      expect(await keysMatching(`${prefix}b_${prefix}limits:servicenow-api:${instance}:*_settings`)).toHaveLength(1);
    }
    await Promise.all(replicas.splice(0).map((r) => r.app.close()));
    await Promise.all(acme);
  }, 60_000);
});
