// The "Rotation under load" target (docs/design.md, 'Performance targets'): 60 s at 500 requests/s with a 10 s token lifetime and a 1 s
// propagation lag after each rotation. The callers are real HTTP callers of POST /v1/actions/get-trunk
// (evenly paced, open loop) against trunkgate running in its own process, as a Genesys flow would call it.
// Figures: caller errors, token requests vs rotations, and latency during rotations as a ratio to
// steady state (the baseline from the same run).
import { defaultTrunkIds } from '../src/sim/genesys/index.js';
import type { GenesysSimStats } from '../src/sim/genesys/index.js';
import { startChild, type Child } from './support/child.js';
import { pacedLoad } from './support/paced-load.js';
import { BENCH_API_KEY, buildDist, startTrunkgate } from './support/trunkgate-under-test.js';
import { percentile, round } from './stats.js';

const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 60_000);
const RATE_PER_SEC = Number(process.env.BENCH_RATE ?? 500);
/** A request counts as "during a rotation" from 2 s before a new token is promoted to 0.5 s after. */
const ROTATION_WINDOW = { beforeMs: 2_000, afterMs: 500 };

interface Credentials {
  upstreams: Array<{ name: string; refreshCount: number }>;
}

export async function rotationBench(): Promise<Record<string, unknown>> {
  buildDist();
  const participants: Array<Child<unknown>> = [];
  try {
    const sims = await startChild<{ genesys: string; servicenow: string }>('bench/support/serve-sims.ts', {
      BENCH_SIM_GENESYS: JSON.stringify({ tokenLifetimeSec: 10, propagationLagMs: 1_000, rateLimitPerMinute: 1_000_000 }),
    });
    participants.push(sims);
    const trunkgate = await startTrunkgate(sims.info);
    participants.push(trunkgate);
    const headers = { 'Content-Type': 'application/json', 'X-API-Key': BENCH_API_KEY };
    const url = `${trunkgate.info.url}/v1/actions/get-trunk`;
    const body = JSON.stringify({ trunkId: defaultTrunkIds.lumenPrimary });
    const first = await fetch(url, { method: 'POST', headers, body });
    if (first.status !== 200) throw new Error(`get-trunk answered ${first.status}: ${await first.text()}`);

    // Warm-up at the full rate: a cold process (JIT, new connections) answers its first second slowly,
    // which is start-up, not rotation or steady state.
    await pacedLoad({ url, headers, body, ratePerSec: RATE_PER_SEC, seconds: 3 });

    const refreshCount = async () =>
      ((await (await fetch(`${trunkgate.info.url}/v1/credentials`, { headers })).json()) as Credentials).upstreams.find(
        (u) => u.name === 'genesys',
      )!.refreshCount;
    const countAtStart = await refreshCount();
    await sims.request({ resetStats: true });

    // Rotations are seen by polling the credentials endpoint (±250 ms).
    const rotations: number[] = [];
    let seen = countAtStart;
    const poller = setInterval(() => {
      void refreshCount().then(
        (n) => {
          for (; seen < n; seen += 1) rotations.push(Date.now());
        },
        () => undefined,
      );
    }, 250);

    const cpuAtStart = { trunkgate: trunkgate.cpuMs(), sims: sims.cpuMs() };
    const samples: Array<{ at: number; ms: number }> = [];
    // BENCH_CPU_PROF=1: a CPU profile of trunkgate over 5 s in the middle of the run.
    if (process.env.BENCH_CPU_PROF) {
      setTimeout(() => void trunkgate.request({ profile: 'start' }), DURATION_MS / 2 - 2_500);
      setTimeout(
        () => void trunkgate.request({ profile: 'stop', file: 'bench/results/rotation-trunkgate.cpuprofile' }),
        DURATION_MS / 2 + 2_500,
      );
    }
    const result = await pacedLoad({ url, headers, body, ratePerSec: RATE_PER_SEC, seconds: DURATION_MS / 1000 });
    for (const s of result.samples) if (s.status === 200) samples.push({ at: s.at, ms: s.ms });
    clearInterval(poller);
    const cpuMsPerRequest = {
      trunkgate: round((trunkgate.cpuMs() - cpuAtStart.trunkgate) / Math.max(1, result.sent), 3),
      simulators: round((sims.cpuMs() - cpuAtStart.sims) / Math.max(1, result.sent), 3),
    };
    const finalCount = await refreshCount();
    for (; seen < finalCount; seen += 1) rotations.push(Date.now());
    const stats = ((await sims.request({ stats: true })) as { genesys: GenesysSimStats }).genesys;

    const during = (at: number) => rotations.some((r) => at >= r - ROTATION_WINDOW.beforeMs && at <= r + ROTATION_WINDOW.afterMs);
    const rot = samples.filter((s) => during(s.at)).map((s) => s.ms);
    const steady = samples.filter((s) => !during(s.at)).map((s) => s.ms);
    const callerErrors = result.errors;
    const rotationCount = finalCount - countAtStart;
    return {
      durationSec: DURATION_MS / 1000,
      targetRatePerSec: RATE_PER_SEC,
      achievedRatePerSec: round(samples.length / (result.elapsedMs / 1000), 1),
      callers: 'HTTP POST /v1/actions/get-trunk, evenly paced open loop (bench/support/paced-load.ts) → trunkgate in its own process',
      requests: result.sent,
      cpuMsPerRequest,
      callerErrors,
      firstErrors: result.firstErrors,
      loadGeneratorMaxLagMs: round(result.maxSendLagMs),
      rotations: rotationCount,
      tokenRequests: stats.tokenRequests,
      callsWithExpiredToken: stats.callsWithExpiredToken,
      callsWithUnpropagatedToken: stats.callsWithUnpropagatedToken,
      steady: { requests: steady.length, p50Ms: round(percentile(steady, 50)), p99Ms: round(percentile(steady, 99)) },
      duringRotation: { requests: rot.length, p50Ms: round(percentile(rot, 50)), p99Ms: round(percentile(rot, 99)) },
      p50RatioRotationToSteady: round(percentile(rot, 50) / percentile(steady, 50)),
      p99RatioRotationToSteady: round(percentile(rot, 99) / percentile(steady, 99)),
      pass: callerErrors === 0 && Math.abs(stats.tokenRequests - rotationCount) <= 1,
    };
  } finally {
    for (const p of participants.reverse()) await p.stop();
  }
}
