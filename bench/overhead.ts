// The "Gateway overhead" and "Memory" targets (docs/design.md, 'Performance targets'): get-incident through trunkgate vs. through a minimal
// node:http pass-through proxy making the same ServiceNow call, in the same run, against the same
// simulator. Simulators, trunkgate and the proxies each run in their own process; autocannon drives
// the load from this one. Figures: max throughput ratio, p50/p99 at 500 req/s, trunkgate's RSS, and
// CPU per request of each gateway (robust on a shared machine, where throughput is noisy).
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { DEMO_USER } from '../src/sim/servicenow/index.js';
import { startChild, type Child } from './support/child.js';
import { pacedLoad } from './support/paced-load.js';
import { BENCH_API_KEY, buildDist, startTrunkgate, upstreamEnv as envFor } from './support/trunkgate-under-test.js';
import { percentile, round } from './stats.js';

const PHASE_SEC = Number(process.env.BENCH_PHASE_SEC ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const RATE = Number(process.env.BENCH_RATE ?? 500);

interface LoadResult {
  /** CPU time the gateway spent per answered request, in ms. */
  cpuMsPerRequest: number;
  requests: number;
  rps: number;
  errors: number;
  non2xx: number;
  latencies: number[];
}

interface Target {
  child: Child<{ url: string }>;
  url: string;
  headers: Record<string, string>;
}

async function load(target: Target, body: string, options: { seconds: number; connections: number }): Promise<LoadResult> {
  const latencies: number[] = [];
  const cpuBefore = target.child.cpuMs();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: target.url,
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...target.headers },
        body,
        connections: options.connections,
        duration: options.seconds,
      },
      (err, res) => (err ? reject(err) : resolve(res)),
    );
    // autocannon's own histogram has 1 ms resolution; the added-latency target needs finer.
    instance.on('response', (_client: unknown, status: number, _bytes: number, responseTime: number) => {
      if (status === 200) latencies.push(responseTime);
    });
  });
  const requests = result.requests.total;
  return {
    cpuMsPerRequest: (target.child.cpuMs() - cpuBefore) / Math.max(1, requests),
    requests,
    rps: requests / options.seconds,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    latencies,
  };
}

/** The fixed-rate phase: requests evenly paced (open loop), latency from when each was due. */
async function paced(
  target: Target,
  body: string,
  options: { seconds: number; rate: number },
): Promise<LoadResult & { maxSendLagMs: number }> {
  const cpuBefore = target.child.cpuMs();
  const r = await pacedLoad({
    url: target.url,
    headers: { 'Content-Type': 'application/json', ...target.headers },
    body,
    ratePerSec: options.rate,
    seconds: options.seconds,
  });
  const ok = r.samples.filter((s) => s.status === 200);
  return {
    cpuMsPerRequest: (target.child.cpuMs() - cpuBefore) / Math.max(1, r.sent),
    requests: r.sent,
    rps: r.sent / options.seconds,
    errors: r.errors - (r.samples.length - ok.length),
    non2xx: r.samples.length - ok.length,
    latencies: ok.map((s) => s.ms),
    maxSendLagMs: r.maxSendLagMs,
  };
}

function merged(rs: LoadResult[]): LoadResult {
  const requests = rs.reduce((n, r) => n + r.requests, 0);
  return {
    cpuMsPerRequest: rs.reduce((n, r) => n + r.cpuMsPerRequest * r.requests, 0) / Math.max(1, requests),
    requests,
    rps: rs.reduce((n, r) => n + r.rps, 0) / rs.length,
    errors: rs.reduce((n, r) => n + r.errors, 0),
    non2xx: rs.reduce((n, r) => n + r.non2xx, 0),
    latencies: rs.flatMap((r) => r.latencies),
  };
}

const summary = (r: LoadResult) => ({
  rps: round(r.rps, 0),
  cpuMsPerRequest: round(r.cpuMsPerRequest, 3),
  p50Ms: round(percentile(r.latencies, 50)),
  p99Ms: round(percentile(r.latencies, 99)),
  errors: r.errors,
  non2xx: r.non2xx,
});

export async function overheadBench(): Promise<Record<string, unknown>> {
  // trunkgate runs compiled, as `npm start` runs it: no TypeScript loader in its process or its RSS.
  buildDist();
  const sims = await startChild<{ genesys: string; servicenow: string }>('bench/support/serve-sims.ts', {});
  const participants: Array<Child<unknown>> = [sims];
  try {
    const upstreamEnv = envFor(sims.info);
    const seeded = await fetch(`${sims.info.servicenow}/api/now/table/incident`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Accept: 'application/json',
        Authorization: `Basic ${Buffer.from(`${DEMO_USER.username}:${DEMO_USER.password}`).toString('base64')}`,
      },
      body: JSON.stringify({ short_description: 'Benchmark incident', assignment_group: 'Network' }),
    });
    const { number } = ((await seeded.json()) as { result: { number: string } }).result;
    const body = JSON.stringify({ number });

    const start = async (script: string, env: NodeJS.ProcessEnv, nodeArgs: string[] = []) => {
      const child = await startChild<{ url: string }>(script, env, nodeArgs);
      participants.push(child);
      return child;
    };
    const proxy = await start('bench/support/pass-through-proxy.ts', upstreamEnv);
    const floor = await start('bench/support/stack-floor-proxy.ts', upstreamEnv);
    const trunkgate = await startTrunkgate(sims.info, {}, (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean));
    participants.push(trunkgate);
    const action = '/v1/actions/get-incident';
    const targets: Record<'proxy' | 'stackFloor' | 'trunkgate', Target> = {
      proxy: { child: proxy, url: `${proxy.info.url}${action}`, headers: {} },
      stackFloor: { child: floor, url: `${floor.info.url}${action}`, headers: {} },
      trunkgate: { child: trunkgate, url: `${trunkgate.info.url}${action}`, headers: { 'X-API-Key': BENCH_API_KEY } },
    };
    // All three answer the same record before anything is measured.
    const answers = new Set<string>();
    for (const t of Object.values(targets)) {
      const res = await fetch(t.url, { method: 'POST', headers: { 'Content-Type': 'application/json', ...t.headers }, body });
      const text = await res.text();
      if (res.status !== 200) throw new Error(`${t.url} answered ${res.status}: ${text}`);
      answers.add(JSON.stringify(((x: { result?: unknown[] }) => x.result?.[0] ?? x)(JSON.parse(text) as { result?: unknown[] })));
    }
    if (answers.size !== 1) throw new Error(`the gateways disagree: ${[...answers].join(' / ')}`);

    let peakRss = 0;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, trunkgate.memory().rssBytes)), 250);
    const names = Object.keys(targets) as Array<keyof typeof targets>;

    process.stdout.write('warm-up…\n');
    for (const name of names) await load(targets[name], body, { seconds: 3, connections: CONNECTIONS });

    // Alternating halves, so a drift of the shared machine hits every side alike.
    process.stdout.write(`max throughput, ${CONNECTIONS} connections…\n`);
    const max = Object.fromEntries(names.map((n) => [n, [] as LoadResult[]])) as Record<keyof typeof targets, LoadResult[]>;
    const profileFile = path.resolve('bench/results/overhead-trunkgate.cpuprofile');
    for (let i = 0; i < 2; i += 1) {
      for (const name of names) {
        // BENCH_CPU_PROF=1: a CPU profile of trunkgate under full load (open it in Chrome DevTools).
        const profile = process.env.BENCH_CPU_PROF && name === 'trunkgate' && i === 0;
        if (profile) await trunkgate.request({ profile: 'start' });
        max[name].push(await load(targets[name], body, { seconds: PHASE_SEC / 2, connections: CONNECTIONS }));
        if (profile) await trunkgate.request({ profile: 'stop', file: profileFile });
      }
    }
    const maxOf = Object.fromEntries(names.map((n) => [n, merged(max[n])])) as Record<keyof typeof targets, LoadResult>;

    process.stdout.write(`${RATE} req/s, evenly paced…\n`);
    const fixed = {} as Record<keyof typeof targets, LoadResult & { maxSendLagMs: number }>;
    for (const name of names) fixed[name] = await paced(targets[name], body, { seconds: PHASE_SEC, rate: RATE });
    clearInterval(sampler);
    const memory = trunkgate.memory();

    const ratio = maxOf.trunkgate.rps / maxOf.proxy.rps;
    const addedP99 = percentile(fixed.trunkgate.latencies, 99) - percentile(fixed.proxy.latencies, 99);
    const peakMb = Math.max(peakRss, memory.peakRssBytes) / 1024 / 1024;
    const errors = maxOf.trunkgate.errors + maxOf.trunkgate.non2xx + fixed.trunkgate.errors + fixed.trunkgate.non2xx;
    return {
      cpus: os.cpus().length,
      loadAverageAtEnd: os.loadavg().map((l) => round(l, 1)),
      phaseSec: PHASE_SEC,
      connections: CONNECTIONS,
      trunkgateNodeFlags: trunkgate.process.spawnargs.filter((a) => a.startsWith('--max')),
      logLevel: process.env.BENCH_LOG_LEVEL ?? 'info',
      maxThroughput: {
        proxy: summary(maxOf.proxy),
        stackFloor: summary(maxOf.stackFloor),
        trunkgate: summary(maxOf.trunkgate),
        ratio: round(ratio, 3),
        stackFloorRatio: round(maxOf.stackFloor.rps / maxOf.proxy.rps, 3),
        target: '>= 0.70',
      },
      [`at${RATE}PerSec`]: {
        proxy: summary(fixed.proxy),
        stackFloor: summary(fixed.stackFloor),
        trunkgate: summary(fixed.trunkgate),
        loadGenerator: 'open loop, one request every 1000/rate ms, latency from when it was due (bench/support/paced-load.ts)',
        generatorMaxLagMs: Object.fromEntries(names.map((n) => [n, round(fixed[n].maxSendLagMs)])),
        addedP50Ms: round(percentile(fixed.trunkgate.latencies, 50) - percentile(fixed.proxy.latencies, 50)),
        addedP99Ms: round(addedP99),
        target: '<= 2 ms added p99',
      },
      trunkgateMemory: { peakRssMb: round(peakMb, 1), endRssMb: round(memory.rssBytes / 1024 / 1024, 1), target: '<= 150 MB' },
      trunkgateErrors: errors,
      pass: { throughput: ratio >= 0.7, addedP99: addedP99 <= 2, memory: peakMb <= 150, noErrors: errors === 0 },
    };
  } finally {
    for (const p of participants.reverse()) await p.stop();
  }
}
