// Benchmark participant for `npm run bench -- orgs`: the Genesys simulator with several orgs of
// generated EXTERNAL trunks and one ServiceNow simulator per instance, in their own process (their
// own event loop and CPU time, as the real services would be). Driven over IPC (see org-sims.ts);
// every time it reports is `performance.timeOrigin + performance.now()` (epoch ms, sub-ms).
// BENCH_ORG_SIMS (JSON): {orgs: string[], instances: string[], trunksPerOrg: number, rateLimitPerMinute: number}.
import { startSimulators } from '../../src/sim/start-simulators.js';
import type { OrgSimsReport, OrgSimsRequest } from './org-sims.js';

const { orgs, instances, trunksPerOrg, rateLimitPerMinute } = JSON.parse(process.env.BENCH_ORG_SIMS ?? '{}') as {
  orgs: string[];
  instances: string[];
  trunksPerOrg: number;
  rateLimitPerMinute: number;
};
const now = () => performance.timeOrigin + performance.now();

const sims = await startSimulators({
  orgs: orgs.map((name) => ({ name, trunks: [], generatedTrunks: trunksPerOrg, rateLimitPerMinute })),
  instances,
});

// Genesys: every /api/v2 call of each org, when it arrived (the org's budget is counted on these).
const apiCallsAt: Record<string, number[]> = Object.fromEntries(orgs.map((o) => [o, []]));
for (const org of orgs) {
  sims.genesys.control.org(org).onRequest((r) => {
    if (r.path.startsWith('/api/v2/')) apiCallsAt[org]!.push(now());
  });
}

// ServiceNow: the first request of each instance that names a correlation id (the relay's lookup before a create).
const firstRequestAt: Record<string, { at: number; instance: string }> = {};
for (const [instance, sim] of sims.servicenowInstances) {
  sim.control.on('request', (r) => {
    const query = new URLSearchParams(r.query).get('sysparm_query');
    const key = query ? /correlation_id=([^^]+)/.exec(query)?.[1] : undefined;
    if (key && !(key in firstRequestAt)) firstRequestAt[key] = { at: now(), instance };
  });
}

const stormAt: Record<string, number> = {};

/** Applies the plan's changes at their offsets (ms from now), in ticks of 10 ms; resolves when all are applied. */
function storm(plan: Array<{ trunkId: string; offsetMs: number }>): Promise<void> {
  const sorted = [...plan].sort((a, b) => a.offsetMs - b.offsetMs);
  const start = performance.now();
  let next = 0;
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      const due = performance.now() - start;
      for (; next < sorted.length && sorted[next]!.offsetMs <= due; next++) {
        const { trunkId } = sorted[next]!;
        sims.genesys.control.setTrunkState(trunkId, { state: 'rejected', sipCode: 403 });
        stormAt[trunkId] = now();
      }
      if (next >= sorted.length) {
        clearInterval(timer);
        resolve();
      }
    }, 10);
  });
}

function report(): OrgSimsReport {
  const byOrg = sims.genesys.control.statsByOrg();
  return {
    stormAt,
    firstRequestAt,
    incidentsByInstance: Object.fromEntries(
      [...sims.servicenowInstances].map(([name, sim]) => [name, sim.incidents().map((i) => String(i.fields.correlation_id))]),
    ),
    genesys: Object.fromEntries(
      orgs.map((o) => [
        o,
        {
          apiCalls: byOrg[o]!.apiCalls,
          rateLimited: byOrg[o]!.rateLimited,
          tokenRequests: byOrg[o]!.tokenRequests,
          byRoute: byOrg[o]!.byRoute,
          apiCallsAt: apiCallsAt[o]!,
        },
      ]),
    ),
  };
}

process.on('message', (m: OrgSimsRequest) => {
  if (m.op === 'set') {
    sims.genesys.control.setTrunkState(m.trunkId, m.state === 'registered' ? { state: 'registered' } : { state: 'rejected', sipCode: 403 });
    process.send!({ at: now() });
  } else if (m.op === 'storm') {
    void storm(m.plan).then(() => process.send!({ at: now() }));
  } else {
    process.send!(report());
  }
});
process.send!({
  genesys: sims.genesys.url,
  servicenow: Object.fromEntries([...sims.servicenowInstances].map(([name, sim]) => [name, sim.url])),
});
process.on('SIGTERM', () => void sims.close().then(() => process.exit(0)));
