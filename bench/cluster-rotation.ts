// The "Rotation under load" target (docs/design.md, 'Performance targets') on 3 replicas sharing Redis (issue 6): 60 s at 500 requests/s spread
// over three trunkgate apps in this process, 10 s tokens, 1 s propagation lag. Figures: caller errors,
// token requests vs tokens used cluster-wide, and how many of those tokens every replica used.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApp, type TrunkgateApp } from '../src/app/create-app.js';
import { loadConfig } from '../src/config/config.js';
import { createLogger } from '../src/log/logger.js';
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, defaultTrunkIds } from '../src/sim/genesys/index.js';
import { DEMO_USER } from '../src/sim/servicenow/index.js';
import { startSimulators } from '../src/sim/start-simulators.js';
import { round } from './stats.js';

const REDIS_URL = process.env.BENCH_REDIS_URL ?? process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 60_000);
const RATE_PER_SEC = Number(process.env.BENCH_RATE ?? 500);
const REPLICAS = 3;

export async function clusterRotationBench(): Promise<Record<string, unknown>> {
  const sims = await startSimulators({ genesys: { tokenLifetimeSec: 10, propagationLagMs: 1_000, rateLimitPerMinute: 1_000_000 } });
  const prefix = `bench:${randomBytes(4).toString('hex')}:`;
  const config = loadConfig({
    GENESYS_LOGIN_URL: sims.genesys.url,
    GENESYS_API_URL: sims.genesys.url,
    GENESYS_CLIENT_ID: DEMO_CLIENT_ID,
    GENESYS_CLIENT_SECRET: DEMO_CLIENT_SECRET,
    SERVICENOW_INSTANCE_URL: sims.servicenow.url,
    SERVICENOW_USERNAME: DEMO_USER.username,
    SERVICENOW_PASSWORD: DEMO_USER.password,
    REDIS_URL,
    REDIS_KEY_PREFIX: prefix,
    TOKEN_CACHE_KEY: randomBytes(32).toString('base64'),
  });
  const apps: TrunkgateApp[] = [];
  const dataDirs: string[] = [];
  for (let i = 0; i < REPLICAS; i += 1) {
    // Each replica its own SQLite file (one process per DATA_DIR); what they share here is Redis.
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `trunkgate-bench-replica-${i}-`));
    dataDirs.push(dataDir);
    const app = await createApp({ ...config, dataDir }, { logger: createLogger({ level: 'error' }), processMetrics: false, monitor: null });
    await app.listen(0, '127.0.0.1');
    apps.push(app);
  }
  await Promise.all(apps.map((a) => a.credentials.genesys.authorize()));
  sims.genesys.resetStats();
  // Each replica's own Genesys client (its broker, its share of the pacing budget), as its Data Actions use it.
  const clients = apps.map((a) => a.upstream.genesys.client);
  const byReplica = apps.map(() => new Set<string>());
  const errors: string[] = [];
  let ok = 0;
  const started = Date.now();
  const inflight = new Set<Promise<void>>();
  const tickMs = 10;
  let owed = 0;
  let next = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      if (Date.now() - started >= DURATION_MS) {
        clearInterval(timer);
        resolve();
        return;
      }
      owed += (RATE_PER_SEC * tickMs) / 1000;
      for (; owed >= 1; owed -= 1) {
        const i = next++ % REPLICAS;
        const p = apps[i]!.credentials.genesys.authorize()
          .then((auth) => {
            byReplica[i]!.add(auth.header);
            return clients[i]!.getTrunk(defaultTrunkIds.lumenPrimary);
          })
          .then(() => void (ok += 1))
          .catch((err: unknown) => void errors.push((err as Error).message))
          .finally(() => inflight.delete(p));
        inflight.add(p);
      }
    }, tickMs);
  });
  await Promise.all(inflight);
  const stats = sims.genesys.stats();
  const adopted = await Promise.all(apps.map(async (a) => Number(/outcome="adopted"\} (\d+)/.exec(await a.registry.metrics())?.[1] ?? 0)));
  await Promise.all(apps.map((a) => a.close()));
  await sims.close();
  for (const dir of dataDirs) fs.rmSync(dir, { recursive: true, force: true });

  const all = new Set(byReplica.flatMap((s) => [...s]));
  const usedByAll = [...all].filter((t) => byReplica.every((s) => s.has(t))).length;
  // The token in use when the run started was requested before resetStats: not counted in tokenRequests.
  const tokensRequestedDuringRun = all.size - 1;
  return {
    replicas: REPLICAS,
    durationSec: DURATION_MS / 1000,
    achievedRatePerSec: round(ok / (DURATION_MS / 1000), 1),
    callerErrors: errors.length,
    firstErrors: errors.slice(0, 5),
    tokensUsed: all.size,
    tokensUsedByEveryReplica: usedByAll,
    tokenRequests: stats.tokenRequests,
    tokenRequestsPerRotation: round(stats.tokenRequests / Math.max(1, tokensRequestedDuringRun)),
    adoptedByReplica: adopted,
    callsWithExpiredToken: stats.callsWithExpiredToken,
    pass: errors.length === 0 && Math.abs(stats.tokenRequests - tokensRequestedDuringRun) <= 1 && usedByAll >= all.size - 1,
  };
}
