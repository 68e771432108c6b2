import { Registry } from 'prom-client';
import { createTrunkMonitor, type TrunkMonitor } from '../../src/monitor/trunk-monitor.js';
import type { MonitorTuning } from '../../src/monitor/monitor-tuning.js';
import { ManualClock } from '../../src/time/manual-clock.js';
import {
  FakeNotificationsClient,
  FakeRotations,
  FakeSocketConnector,
  FakeTrunkLister,
  wireTrunk,
  type CallLog,
} from './fake-notifications.js';
import { RecordingSink } from './recording-sink.js';
import { memoryLogger } from './test-config.js';

/** A trunk monitor on fakes and a ManualClock, for unit tests. */
export function monitorHarness(
  options: { trunks?: number; notifications?: boolean; pollIntervalMs?: number; tuning?: Partial<MonitorTuning> } = {},
) {
  const clock = new ManualClock();
  const log: CallLog = [];
  const lister = new FakeTrunkLister();
  lister.trunks = Array.from({ length: options.trunks ?? 3 }, (_, i) => wireTrunk(`t${i + 1}`));
  const client = new FakeNotificationsClient(log, () => clock.now());
  const connector = new FakeSocketConnector(log);
  const rotations = new FakeRotations();
  const sink = new RecordingSink();
  const registry = new Registry();
  const logs = memoryLogger();
  const monitor: TrunkMonitor = createTrunkMonitor({
    config: { monitor: { pollIntervalMs: options.pollIntervalMs ?? 30_000, notifications: options.notifications ?? true } },
    genesysClient: lister,
    notificationsClient: client,
    credentials: rotations,
    sink,
    clock,
    logger: logs.logger,
    registry,
    connector,
    // Backoff delays are exactly base·2^(n-1): jitter is proven by fullJitterBackoff's own use elsewhere.
    random: () => 1,
    tuning: { pageSize: 2, ...options.tuning },
  });
  const metric = async (name: string, labels: Record<string, string> = {}) => {
    const found = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
    const value = found?.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l));
    return value?.value ?? 0;
  };
  return { clock, log, lister, client, connector, rotations, sink, registry, logs, monitor, metric };
}
