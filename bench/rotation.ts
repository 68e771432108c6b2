// BRIEF §4 "Rotation under load": 60 s at 500 requests/s with a 10 s token lifetime and a 1 s
// propagation lag after each rotation. Figures: caller errors, token requests vs rotations, and
// latency during rotations as a ratio to steady state (the baseline from the same run).
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config/config.js';
import { createLogger } from '../src/log/logger.js';
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, defaultTrunkIds } from '../src/sim/genesys/index.js';
import { DEMO_USER } from '../src/sim/servicenow/index.js';
import { startSimulators } from '../src/sim/start-simulators.js';
import { GenesysClient } from '../src/upstream/genesys-client.js';
import { createUpstreamHttp } from '../src/upstream/upstream-http.js';
import { percentile, round } from './stats.js';

const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 60_000);
const RATE_PER_SEC = Number(process.env.BENCH_RATE ?? 500);
/** A request counts as "during a rotation" from 2 s before a new token is promoted to 0.5 s after. */
const ROTATION_WINDOW = { beforeMs: 2_000, afterMs: 500 };

export async function rotationBench(): Promise<Record<string, unknown>> {
  const sims = await startSimulators({ genesys: { tokenLifetimeSec: 10, propagationLagMs: 1_000, rateLimitPerMinute: 1_000_000 } });
  const config = loadConfig({
    GENESYS_LOGIN_URL: sims.genesys.url,
    GENESYS_API_URL: sims.genesys.url,
    GENESYS_CLIENT_ID: DEMO_CLIENT_ID,
    GENESYS_CLIENT_SECRET: DEMO_CLIENT_SECRET,
    SERVICENOW_INSTANCE_URL: sims.servicenow.url,
    SERVICENOW_USERNAME: DEMO_USER.username,
    SERVICENOW_PASSWORD: DEMO_USER.password,
  });
  const app = await createApp(config, { logger: createLogger({ level: 'error' }), processMetrics: false });
  await app.listen(0, '127.0.0.1');
  await app.credentials.genesys.authorize();
  sims.genesys.resetStats();
  const rotations: number[] = [];
  app.credentials.genesys.on('rotated', (e) => rotations.push(e.at));

  const client = new GenesysClient(createUpstreamHttp({ baseURL: sims.genesys.url, timeoutMs: 10_000, maxSockets: 128 }), app.credentials.genesys);
  const samples: Array<{ at: number; ms: number }> = [];
  const errors: string[] = [];
  const started = Date.now();
  const inflight = new Set<Promise<void>>();
  // Open loop: requests are sent on schedule whether or not earlier ones have answered.
  const tickMs = 10;
  const perTick = (RATE_PER_SEC * tickMs) / 1000;
  let owed = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      if (Date.now() - started >= DURATION_MS) {
        clearInterval(timer);
        resolve();
        return;
      }
      owed += perTick;
      for (; owed >= 1; owed -= 1) {
        const at = Date.now();
        const t0 = performance.now();
        const p = client
          .getTrunk(defaultTrunkIds.lumenPrimary)
          .then(() => void samples.push({ at, ms: performance.now() - t0 }))
          .catch((err: unknown) => void errors.push((err as Error).message))
          .finally(() => inflight.delete(p));
        inflight.add(p);
      }
    }, tickMs);
  });
  await Promise.all(inflight);
  const stats = sims.genesys.stats();
  await app.close();
  await sims.close();

  const during = (at: number) => rotations.some((r) => at >= r - ROTATION_WINDOW.beforeMs && at <= r + ROTATION_WINDOW.afterMs);
  const rot = samples.filter((s) => during(s.at)).map((s) => s.ms);
  const steady = samples.filter((s) => !during(s.at)).map((s) => s.ms);
  const figures = {
    durationSec: DURATION_MS / 1000,
    targetRatePerSec: RATE_PER_SEC,
    achievedRatePerSec: round(samples.length / (DURATION_MS / 1000), 1),
    requests: samples.length + errors.length,
    callerErrors: errors.length,
    firstErrors: errors.slice(0, 5),
    rotations: rotations.length,
    tokenRequests: stats.tokenRequests,
    callsWithExpiredToken: stats.callsWithExpiredToken,
    callsWithUnpropagatedToken: stats.callsWithUnpropagatedToken,
    steady: { requests: steady.length, p50Ms: round(percentile(steady, 50)), p99Ms: round(percentile(steady, 99)) },
    duringRotation: { requests: rot.length, p50Ms: round(percentile(rot, 50)), p99Ms: round(percentile(rot, 99)) },
    p50RatioRotationToSteady: round(percentile(rot, 50) / percentile(steady, 50)),
    p99RatioRotationToSteady: round(percentile(rot, 99) / percentile(steady, 99)),
    pass: errors.length === 0 && Math.abs(stats.tokenRequests - rotations.length) <= 1,
  };
  return figures;
}
