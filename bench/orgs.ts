// Several orgs (README, "Several orgs"): 5 Genesys orgs × 500 EXTERNAL trunks (Genesys' per-org maximum)
// and 2 ServiceNow instances, all simulated in their own process, watched by one trunkgate built by
// createApp from a connections file (SQLite, notifications on, Genesys' 300 calls/min per org).
// Figures: each org's first complete listing and full poll time, trunk event in the simulator → the
// trunk's state in trunkgate's store (p50/p99), RSS once settled; then a storm — 30 % of all trunks
// rejected within 10 s, spread over every org — checking incidents opened = subjects that failed
// (exactly), each at the right instance, state change → first ServiceNow request (p50/p99), and each
// org's Genesys calls within its budget. A 1-org baseline of the same size runs first.
// `--quick`: 2 orgs × 100 trunks and a 1 × 100 baseline. BENCH_ORGS, BENCH_TRUNKS_PER_ORG, BENCH_CHANGES override.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { TrunkgateApp } from '../src/app/create-app.js';
import { generatedTrunkId } from '../src/sim/genesys/index.js';
import { perOrgNames } from '../src/trunks/subject-names.js';
import { percentile, round } from './stats.js';
import { epochNow, startOrgSims } from './support/org-sims.js';
import { BENCH_API_KEY, createOrgsApp, orgsLayout } from './support/orgs-app.js';
import { mib, ms, sleep, until } from './support/orgs-measure.js';
import { stormDelivered, stormFigures, stormPlan } from './support/orgs-storm.js';

const QUICK = process.argv.includes('--quick');
const ORGS = Number(process.env.BENCH_ORGS ?? (QUICK ? 2 : 5));
const TRUNKS_PER_ORG = Number(process.env.BENCH_TRUNKS_PER_ORG ?? (QUICK ? 100 : 500));
/** Trunk changes timed one at a time (a trunk rejected, then registered again), spread over the orgs. */
const CHANGES = Number(process.env.BENCH_CHANGES ?? (QUICK ? 80 : 500));
const STORM_SHARE = 0.3;
const STORM_SPREAD_MS = 10_000;
/** Genesys' default per token (docs/genesys-cloud.md, 'Rate limits'): the simulator enforces it, each org's pacer follows it. */
const RATE_LIMIT_PER_MINUTE = 300;
const POLL_ROUNDS = 5;
const INSTANCES = ['sn-a', 'sn-b'];
const SEED = 20261207;

const orgNames = (n: number) => Array.from({ length: n }, (_, i) => `org-${String.fromCharCode(97 + i)}`);

/** Polls the store until the trunk is in `state`; the time it was seen (epoch ms), or undefined after 10 s. */
async function seenInStore(app: TrunkgateApp, trunkId: string, state: string): Promise<number | undefined> {
  const deadline = performance.now() + 10_000;
  while (performance.now() < deadline) {
    if ((await app.store.getTrunk(trunkId))?.state === state) return epochNow();
    await sleep(1);
  }
  return undefined;
}

async function scenario(orgCount: number, trunksPerOrg: number, changes: number) {
  const orgs = orgNames(orgCount);
  const instances = orgCount > 1 ? INSTANCES : INSTANCES.slice(0, 1);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'trunkgate-bench-orgs-'));
  const sims = await startOrgSims({ orgs, instances, trunksPerOrg, rateLimitPerMinute: RATE_LIMIT_PER_MINUTE });
  const layout = orgsLayout({
    orgs,
    instances,
    genesysUrl: sims.genesysUrl,
    servicenowUrls: sims.servicenowUrls,
    rateLimitPerMinute: RATE_LIMIT_PER_MINUTE,
  });
  const app = await createOrgsApp(dataDir, layout);
  try {
    // 1. Start: each org's first complete listing, then settled (every trunk stored, every topic subscribed).
    const firstListingMs: Record<string, number> = {};
    /** Every complete poll's end (epoch ms): a poll of 500 trunks holds the one event loop and store for a while. */
    const pollsDone: number[] = [];
    for (const o of app.orgs) o.monitor!.on('poll', (p) => void (p.ok && pollsDone.push(epochNow())));
    const started = performance.now();
    const listed = Promise.all(
      app.orgs.map(
        (o) =>
          new Promise<void>((resolve) => {
            o.monitor!.on('poll', (p) => {
              if (p.ok && p.trunkIds.length >= trunksPerOrg && !(o.name in firstListingMs)) {
                firstListingMs[o.name] = round(performance.now() - started);
                resolve();
              }
            });
          }),
      ),
    );
    const baseUrl = await app.listen(0, '127.0.0.1');
    await Promise.race([listed, sleep(60_000)]);
    const stored = async (org: string) => (await app.store.listTrunks({ org })).length;
    const settled = await until(
      async () =>
        (
          await Promise.all(
            app.orgs.map(async (o) => (await stored(o.name)) >= trunksPerOrg && o.monitor!.status().channels.openTopics >= trunksPerOrg),
          )
        ).every(Boolean),
      60_000,
    );
    const startToSettledMs = round(performance.now() - started);
    const viaApi = Object.fromEntries(
      await Promise.all(
        orgs.map(async (org) => {
          const res = await fetch(`${baseUrl}/v1/trunks?org=${org}`, { headers: { 'X-API-Key': BENCH_API_KEY } });
          return [org, ((await res.json()) as { trunks: unknown[] }).trunks.length] as const;
        }),
      ),
    );

    // 2. Full polls of every org at once (the leader runs them all), spaced so the pacing bucket has refilled.
    const pollMs: Record<string, number[]> = Object.fromEntries(orgs.map((o) => [o, []]));
    for (let round_ = 0; round_ < POLL_ROUNDS; round_++) {
      await sleep(2_000);
      await Promise.all(
        app.orgs.map(async (o) => {
          const t = performance.now();
          const result = await o.monitor!.pollNow();
          if (result.ok) pollMs[o.name]!.push(performance.now() - t);
        }),
      );
    }
    const rssSettled = process.memoryUsage().rss;

    // 3. Notification → state, one change at a time, orgs in turn; these trunks' incidents stay open.
    const perOrgTrunks = Math.max(1, Math.floor(changes / orgCount / 2));
    const latencyTrunks = orgs.flatMap((org) =>
      Array.from({ length: perOrgTrunks }, (_, i) => ({ org, trunkId: generatedTrunkId(i + 1, org) })),
    );
    const latencies: number[] = [];
    let missed = 0;
    for (let n = 0; n < perOrgTrunks; n++) {
      for (const state of ['rejected', 'registered'] as const) {
        for (const org of orgs) {
          const trunkId = generatedTrunkId(n + 1, org);
          const t0 = epochNow();
          await sims.set(trunkId, state);
          const seen = await seenInStore(app, trunkId, state);
          if (seen === undefined) missed += 1;
          else latencies.push(seen - t0);
        }
      }
    }
    const earlier = new Set(latencyTrunks.map((t) => perOrgNames.trunk(t.org, t.trunkId)));
    await until(async () => (await app.store.outboxDepth()) === 0, 30_000);

    // 4. The storm.
    const candidates = Object.fromEntries(
      orgs.map((org) => [org, Array.from({ length: trunksPerOrg - perOrgTrunks }, (_, i) => generatedTrunkId(perOrgTrunks + i + 1, org))]),
    );
    const storm = stormPlan(candidates, Math.round(trunksPerOrg * STORM_SHARE), STORM_SPREAD_MS, SEED);
    const from = epochNow();
    // How busy trunkgate's process (one event loop: monitors, store, relays) and the simulators were during the storm.
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    const [cpu0, simCpu0] = [process.cpuUsage(), sims.cpuMs()];
    await sims.storm(storm.map((t) => ({ trunkId: t.trunkId, offsetMs: t.offsetMs })));
    let report = await sims.report();
    const delivered = await until(
      async () => {
        report = await sims.report();
        return stormDelivered(storm, report) && (await app.store.outboxDepth()) === 0;
      },
      120_000,
      250,
    );
    const to = epochNow();
    loopDelay.disable();
    const cpu = process.cpuUsage(cpu0);
    const busy = {
      trunkgateCpuShareOfOneCore: round((cpu.user + cpu.system) / 1000 / (to - from), 2),
      // Less sensitive to other load on the machine than the latencies: what the storm cost trunkgate.
      trunkgateCpuMsPerStormChange: round((cpu.user + cpu.system) / 1000 / storm.length),
      simulatorsCpuShareOfOneCore: round((sims.cpuMs() - simCpu0) / (to - from), 2),
      eventLoopDelayMs: {
        p50: round(loopDelay.percentile(50) / 1e6),
        p99: round(loopDelay.percentile(99) / 1e6),
        max: round(loopDelay.max / 1e6),
      },
    };
    await sleep(1_000); // anything late (a duplicate, a stray record) has time to show
    report = await sims.report();
    const stormResult = await stormFigures({
      app,
      storm,
      earlier,
      expectedInstance: layout.expectedInstance,
      report,
      window: { from, to },
      rateLimitPerMinute: RATE_LIMIT_PER_MINUTE,
    });
    return {
      orgs: orgCount,
      trunksPerOrg,
      instances,
      routes: layout.expectedInstance,
      settled,
      firstCompleteListingMs: firstListingMs,
      startToSettledMs,
      trunksViaApi: viaApi,
      fullPollMs: Object.fromEntries(Object.entries(pollMs).map(([org, v]) => [org, ms(v)])),
      fullPollMsAllOrgs: ms(Object.values(pollMs).flat()),
      notificationToStateMs: { ...ms(latencies), missed },
      rssMiB: {
        trunkgateSettled: mib(rssSettled),
        trunkgateAfterStorm: mib(process.memoryUsage().rss),
        simulators: mib(sims.memory().rssBytes),
      },
      storm: { delivered, ...stormResult, busy, pollsEndedDuringStorm: pollsDone.filter((at) => at >= from && at <= to).length },
    };
  } finally {
    await app.close();
    await sims.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

type Scenario = Awaited<ReturnType<typeof scenario>>;

function table(rows: Array<[string, Scenario]>): string {
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(24) : c.padStart(26))).join('');
  const out = [line(['', ...rows.map(([name]) => name)])];
  const add = (label: string, f: (s: Scenario) => string) => out.push(line([label, ...rows.map(([, s]) => f(s))]));
  add('first listing p50/max ms', (s) => {
    const v = Object.values(s.firstCompleteListingMs);
    return `${percentile(v, 50)} / ${Math.max(...v)}`;
  });
  add('full poll p50/p99 ms', (s) => `${s.fullPollMsAllOrgs.p50} / ${s.fullPollMsAllOrgs.p99}`);
  add('notif→state p50/p99', (s) => `${s.notificationToStateMs.p50} / ${s.notificationToStateMs.p99}`);
  add('RSS settled MiB', (s) => String(s.rssMiB.trunkgateSettled));
  add('storm trunks/subjects', (s) => `${s.storm.trunksFailed} / ${s.storm.subjectsThatFailed}`);
  add('incidents SN/store', (s) => `${s.storm.incidentsOpenedInServiceNow} / ${s.storm.incidentsInStore}`);
  add('exact / misrouted', (s) => `${s.storm.incidentsEqualSubjects} / ${s.storm.misroutedInServiceNow}`);
  add('change→SN p50/p90/p99', (s) => {
    const l = s.storm.stateChangeToServiceNowRequestMs;
    return `${l.p50} / ${l.p90} / ${l.p99}`;
  });
  add('polls during storm', (s) => String(s.storm.pollsEndedDuringStorm));
  add('storm CPU ms/change', (s) => String(s.storm.busy.trunkgateCpuMsPerStormChange));
  add(
    'storm CPU tg/sims, loop p99',
    (s) => `${s.storm.busy.trunkgateCpuShareOfOneCore} / ${s.storm.busy.simulatorsCpuShareOfOneCore}, ${s.storm.busy.eventLoopDelayMs.p99}`,
  );
  add('Genesys max/60s, 429', (s) => {
    const g = Object.values(s.storm.genesysByOrg);
    return `${Math.max(...g.map((x) => x.maxCallsInAny60s))} / ${g.reduce((n, x) => n + x.rateLimited429, 0)}`;
  });
  return out.join('\n');
}

export async function orgsBench(): Promise<Record<string, unknown>> {
  const baseline = await scenario(1, TRUNKS_PER_ORG, Math.max(2, Math.round(CHANGES / ORGS)));
  const several = await scenario(ORGS, TRUNKS_PER_ORG, CHANGES);
  process.stdout.write(
    `${table([
      [`1 × ${TRUNKS_PER_ORG}`, baseline],
      [`${ORGS} × ${TRUNKS_PER_ORG}`, several],
    ])}\n`,
  );
  const perOrgPoll = percentile(
    Object.values(several.fullPollMs).map((p) => p.p50),
    50,
  );
  return {
    quick: QUICK,
    command: `npm run bench -- orgs${QUICK ? ' --quick' : ''}`,
    rateLimitPerMinute: RATE_LIMIT_PER_MINUTE,
    stormShare: STORM_SHARE,
    stormSpreadMs: STORM_SPREAD_MS,
    baseline,
    several,
    fullPollRatioSeveralOverOne: round(perOrgPoll / baseline.fullPollMsAllOrgs.p50),
    loadAverage: os.loadavg().map((l) => round(l, 2)),
    checks: {
      settled: baseline.settled && several.settled,
      allDelivered: baseline.storm.delivered && several.storm.delivered,
      incidentsEqualSubjects: baseline.storm.incidentsEqualSubjects && several.storm.incidentsEqualSubjects,
      routedToTheRightInstance: several.storm.misroutedInServiceNow === 0 && several.storm.misroutedInStore === 0,
      genesysWithinBudget: baseline.storm.genesysWithinBudget && several.storm.genesysWithinBudget,
    },
  };
}
