import type { EventEmitter } from 'node:events';
import { Registry } from 'prom-client';
import type { MonitorTuning } from '../../src/monitor/monitor-tuning.js';
import { PermissionWatch } from '../../src/monitor/permission-watch.js';
import { createTrunkMonitor, type MonitorEvents, type TrunkMonitor } from '../../src/monitor/trunk-monitor.js';
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, startGenesysSim, type GenesysSimOptions } from '../../src/sim/genesys/index.js';
import { systemClock } from '../../src/time/clock.js';
import { GenesysNotificationsClient } from '../../src/upstream/genesys-notifications-client.js';
import { RecordingSink } from './recording-sink.js';
import { memoryLogger, testConfig } from './test-config.js';
import { testUpstreams } from './upstreams.js';

/** The real monitor, real clients and real token broker against a Genesys simulator on 127.0.0.1. */
export async function startMonitorRig(
  options: { sim?: GenesysSimOptions; notifications?: boolean; pollIntervalMs?: number; tuning?: Partial<MonitorTuning> } = {},
) {
  const sim = await startGenesysSim(options.sim);
  const env = {
    GENESYS_LOGIN_URL: sim.url,
    GENESYS_API_URL: sim.url,
    GENESYS_CLIENT_ID: DEMO_CLIENT_ID,
    GENESYS_CLIENT_SECRET: DEMO_CLIENT_SECRET,
    MONITOR_NOTIFICATIONS: String(options.notifications ?? true),
    // Long by default: tests drive polls through reconnects and pollNow(), not the interval.
    MONITOR_POLL_INTERVAL_MS: String(options.pollIntervalMs ?? 3_600_000),
  };
  const config = testConfig(env);
  const logs = memoryLogger();
  const registry = new Registry();
  const upstreams = testUpstreams(env, { logger: logs.logger, registry });
  const credentials = { genesys: upstreams.genesys.credentials, servicenow: upstreams.servicenow.credentials };
  credentials.genesys.start();
  const sink = new RecordingSink();
  const genesysClient = upstreams.genesys.client;
  const permissions = new PermissionWatch({ clock: systemClock, logger: logs.logger, registry });
  const monitor = createTrunkMonitor({
    config,
    genesysClient,
    notificationsClient: new GenesysNotificationsClient(genesysClient),
    credentials: credentials.genesys,
    sink,
    clock: systemClock,
    logger: logs.logger,
    registry,
    tuning: options.tuning,
    permissions,
  });
  return {
    sim,
    monitor,
    permissions,
    sink,
    credentials,
    registry,
    logs,
    async close() {
      await monitor.stop();
      credentials.genesys.stop();
      credentials.servicenow.stop();
      await upstreams.close();
      await sim.close();
    },
  };
}

/** Resolves with the next `event` whose payload matches; waits on the event, never on time. */
export function nextEvent<E extends keyof MonitorEvents>(
  monitor: TrunkMonitor,
  event: E,
  match: (...args: MonitorEvents[E]) => boolean = () => true,
): Promise<MonitorEvents[E][0]> {
  const emitter = monitor as unknown as EventEmitter;
  return new Promise((resolve) => {
    const listener = (...args: unknown[]) => {
      if (!match(...(args as MonitorEvents[E]))) return;
      emitter.off(event, listener);
      resolve(args[0] as MonitorEvents[E][0]);
    };
    emitter.on(event, listener);
  });
}
