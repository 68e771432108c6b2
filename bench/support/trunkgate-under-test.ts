import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET } from '../../src/sim/genesys/index.js';
import { DEMO_USER } from '../../src/sim/servicenow/index.js';
import { startChild, type Child } from './child.js';

export const BENCH_API_KEY = 'bench-api-key-0123456789abcdef';

/** Builds dist/ with `npm run build` (the compile and the console's assets) so trunkgate runs as `npm start` runs it (no TypeScript loader). */
export function buildDist(): void {
  process.stdout.write('building dist/…\n');
  execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
}

/** The node flags of `npm start`. */
export function startFlags(): string[] {
  const start = (JSON.parse(fs.readFileSync('package.json', 'utf8')) as { scripts: { start: string } }).scripts.start;
  return start.split(/\s+/).filter((t) => t.startsWith('--'));
}

/** The environment that points a gateway at the simulators. */
export function upstreamEnv(sims: { genesys: string; servicenow: string }): Record<string, string> {
  return {
    GENESYS_LOGIN_URL: sims.genesys,
    GENESYS_API_URL: sims.genesys,
    GENESYS_CLIENT_ID: DEMO_CLIENT_ID,
    GENESYS_CLIENT_SECRET: DEMO_CLIENT_SECRET,
    SERVICENOW_INSTANCE_URL: sims.servicenow,
    SERVICENOW_USERNAME: DEMO_USER.username,
    SERVICENOW_PASSWORD: DEMO_USER.password,
  };
}

/**
 * trunkgate (compiled, with the `npm start` flags) in its own process, against the simulators, with
 * a SQLite store of its own (two benchmark runs at once must not share one) removed when it stops.
 */
export async function startTrunkgate(
  sims: { genesys: string; servicenow: string },
  extraEnv: Record<string, string> = {},
  extraFlags: string[] = [],
): Promise<Child<{ url: string }>> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'trunkgate-bench-'));
  const removeDataDir = () => fs.rmSync(dataDir, { recursive: true, force: true });
  const child = await startChild<{ url: string }>(
    'bench/support/serve-trunkgate.mjs',
    {
      ...upstreamEnv(sims),
      GATEWAY_API_KEYS: BENCH_API_KEY,
      DATA_DIR: dataDir,
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
      NODE_ENV: 'production',
      ...extraEnv,
    },
    [...startFlags(), ...extraFlags],
  ).catch((err: unknown) => {
    removeDataDir();
    throw err;
  });
  return { ...child, stop: () => child.stop().finally(removeDataDir) };
}
