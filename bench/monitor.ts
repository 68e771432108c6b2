// The trunk monitor against the Genesys simulator (loopback): how long a full poll of N trunks takes
// (baseline: the bare page reads it makes), how soon a trunk change arrives as a notification
// sighting, and how long a dropped socket or a socket_closing rollover takes to heal.
import type { EventEmitter } from 'node:events';
import { Registry } from 'prom-client';
import { createUpstreams } from '../src/app/create-upstreams.js';
import { createLogger } from '../src/log/logger.js';
import { createTrunkMonitor, type MonitorEvents, type TrunkMonitor } from '../src/monitor/trunk-monitor.js';
import { loadConfig } from '../src/config/config.js';
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, generatedTrunks, startGenesysSim } from '../src/sim/genesys/index.js';
import { systemClock } from '../src/time/clock.js';
import type { TrunkPatch, TrunkSightingSink } from '../src/trunks/trunk-sighting.js';
import { GenesysNotificationsClient } from '../src/upstream/genesys-notifications-client.js';
import { percentile, round } from './stats.js';

const TRUNKS = Number(process.env.BENCH_TRUNKS ?? 200);
const CHANGES = Number(process.env.BENCH_CHANGES ?? 1_000);
const POLLS = 10;
const RECONNECTS = 10;

const next = <E extends keyof MonitorEvents>(m: TrunkMonitor, e: E, match: (...a: MonitorEvents[E]) => boolean = () => true) =>
  new Promise<void>((resolve) => {
    const em = m as unknown as EventEmitter;
    const l = (...a: unknown[]) => {
      if (match(...(a as MonitorEvents[E]))) {
        em.off(e, l);
        resolve();
      }
    };
    em.on(e, l);
  });

export async function monitorBench(): Promise<Record<string, unknown>> {
  const sim = await startGenesysSim({ generatedTrunks: TRUNKS - 4, rateLimitPerMinute: 1_000_000 });
  const config = loadConfig({
    GENESYS_LOGIN_URL: sim.url,
    GENESYS_API_URL: sim.url,
    GENESYS_CLIENT_ID: DEMO_CLIENT_ID,
    GENESYS_CLIENT_SECRET: DEMO_CLIENT_SECRET,
    SERVICENOW_INSTANCE_URL: 'http://127.0.0.1:9',
    SERVICENOW_USERNAME: 'u',
    SERVICENOW_PASSWORD: 'p',
    MONITOR_POLL_INTERVAL_MS: '3600000',
  });
  const logger = createLogger({ level: process.env.BENCH_LOG ?? 'error' });
  // Genesys as createApp builds it: its broker, its pacer (which follows the simulator's announced limit).
  const upstreams = createUpstreams(config, { clock: systemClock, logger, registry: new Registry() });
  const credentials = { genesys: upstreams.genesys.credentials };
  credentials.genesys.start();
  const waiting = new Map<string, { t0: number; resolve: () => void }>();
  const latencies: number[] = [];
  const sink: TrunkSightingSink = {
    async record() {
      return true;
    },
    async recordPatch(s: TrunkPatch) {
      const w = s.source === 'notification' ? waiting.get(s.trunkId) : undefined;
      if (w) {
        waiting.delete(s.trunkId);
        latencies.push(performance.now() - w.t0);
        w.resolve();
      }
      return true;
    },
  };
  const genesysClient = upstreams.genesys.client;
  const monitor = createTrunkMonitor({
    config,
    genesysClient,
    notificationsClient: new GenesysNotificationsClient(genesysClient),
    credentials: credentials.genesys,
    sink,
    clock: systemClock,
    logger,
    registry: new Registry(),
  });

  const t0 = performance.now();
  const covered = next(monitor, 'poll', (p) => p.reason === 'reconnect');
  monitor.start();
  await covered;
  const startToCoveredMs = performance.now() - t0;

  // Polls: the monitor's full poll vs the bare page reads it is made of.
  const pollMs: number[] = [];
  const bareMs: number[] = [];
  for (let i = 0; i < POLLS; i++) {
    let t = performance.now();
    await monitor.pollNow();
    pollMs.push(performance.now() - t);
    t = performance.now();
    for (let page = 1, count = 1; page <= count; page++)
      count = Number((await genesysClient.listTrunks({ pageNumber: page, pageSize: 100 })).pageCount);
    bareMs.push(performance.now() - t);
  }

  // Notification latency: trunk change in the simulator → notification sighting in the sink.
  const ids = generatedTrunks(TRUNKS - 4).map((t) => t.id);
  for (let i = 0; i < CHANGES; i++) {
    const id = ids[i % ids.length]!;
    const arrived = new Promise<void>((resolve) => waiting.set(id, { t0: performance.now(), resolve }));
    sim.control.setTrunkState(id, Math.floor(i / ids.length) % 2 === 0 ? { state: 'rejected', sipCode: 403 } : { state: 'registered' });
    await arrived;
  }

  // Healing: every socket dropped → new socket subscribed → re-poll done; and socket_closing rollovers.
  const dropMs: number[] = [];
  const rolloverMs: number[] = [];
  for (let i = 0; i < RECONNECTS; i++) {
    let t = performance.now();
    const reopened = next(monitor, 'channelOpened', (c) => c.reason === 'socket_closed');
    sim.control.dropSockets();
    await reopened;
    await next(monitor, 'poll', (p) => p.reason === 'reconnect');
    dropMs.push(performance.now() - t);
    t = performance.now();
    const rolled = next(monitor, 'channelOpened', (c) => c.reason === 'socket_closing');
    sim.control.sendSocketClosing({ graceMs: 60_000 });
    await rolled;
    rolloverMs.push(performance.now() - t);
    await next(monitor, 'poll', (p) => p.reason === 'reconnect');
  }

  await monitor.stop();
  credentials.genesys.stop();
  await upstreams.close();
  await sim.close();
  const ms = (values: number[]) => ({
    p50: round(percentile(values, 50)),
    p99: round(percentile(values, 99)),
    max: round(Math.max(...values)),
  });
  return {
    trunks: TRUNKS,
    startToAllSubscribedAndRepolledMs: round(startToCoveredMs),
    fullPollMs: ms(pollMs),
    barePageReadsMs: ms(bareMs),
    pollOverBareRatio: round(percentile(pollMs, 50) / percentile(bareMs, 50)),
    notificationLatencyMs: { changes: CHANGES, ...ms(latencies) },
    dropToResubscribedAndRepolledMs: ms(dropMs),
    socketClosingToNewChannelMs: ms(rolloverMs),
  };
}
