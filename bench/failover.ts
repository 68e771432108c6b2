// Leader failover (issue 6): a process holding the trunk-monitor lease is killed with SIGKILL (no
// release) at a random point of its renewal cycle; the figure is the time until a follower in this
// process is elected, as a ratio to the poll interval (the issue asks for under 2).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { RedisConnection } from '../src/cluster/redis-connection.js';
import { RedisLeaderLease } from '../src/cluster/redis-leader-lease.js';
import { leaseTtlForPollInterval } from '../src/cluster/store-leader-lease.js';
import { createLogger } from '../src/log/logger.js';
import { systemClock } from '../src/time/clock.js';
import { percentile, round } from './stats.js';

const REDIS_URL = process.env.BENCH_REDIS_URL ?? process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const POLL_MS = Number(process.env.BENCH_POLL_MS ?? 3_000);
const TRIALS = Number(process.env.BENCH_TRIALS ?? 5);
const holderScript = fileURLToPath(new URL('./lease-holder.ts', import.meta.url));

function startHolder(env: NodeJS.ProcessEnv): Promise<{ kill: () => void; elected: Promise<number> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', holderScript], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const elected = new Promise<number>((resolve) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.startsWith('{"elected"')) resolve((JSON.parse(line) as { elected: number }).elected);
    });
  });
  return Promise.resolve({ kill: () => child.kill('SIGKILL'), elected });
}

export async function failoverBench(): Promise<Record<string, unknown>> {
  const ttlMs = leaseTtlForPollInterval(POLL_MS);
  const logger = createLogger({ level: 'error' });
  const takeovers: number[] = [];
  let overlaps = 0;
  for (let trial = 0; trial < TRIALS; trial += 1) {
    const prefix = `bench:${randomBytes(4).toString('hex')}:`;
    const holder = await startHolder({ REDIS_URL, REDIS_KEY_PREFIX: prefix, LEASE_TTL_MS: String(ttlMs), LEASE_OWNER: 'killed-leader' });
    await holder.elected;
    const connection = new RedisConnection({ url: REDIS_URL, logger });
    await connection.waitUntilReady(2_000);
    const follower = new RedisLeaderLease({
      redis: connection.client,
      keyPrefix: prefix,
      owner: 'follower',
      ttlMs,
      clock: systemClock,
      logger,
    });
    follower.start();
    // Die at a random point of the renewal cycle, after the follower has campaigned at least once.
    await new Promise((r) => setTimeout(r, ttlMs / 3 + Math.random() * (ttlMs / 3)));
    if (follower.isLeader) overlaps += 1;
    const killedAt = Date.now();
    holder.kill();
    const electedAt = await new Promise<number>((resolve) => follower.once('elected', (e) => resolve(e.at)));
    takeovers.push(electedAt - killedAt);
    await follower.stop();
    await connection.close();
  }
  return {
    pollIntervalMs: POLL_MS,
    leaseTtlMs: ttlMs,
    trials: TRIALS,
    takeoverMs: { min: Math.min(...takeovers), p50: percentile(takeovers, 50), max: Math.max(...takeovers) },
    worstInPollIntervals: round(Math.max(...takeovers) / POLL_MS),
    followerLedWhileLeaderAlive: overlaps,
    pass: Math.max(...takeovers) < 2 * POLL_MS && overlaps === 0,
  };
}
