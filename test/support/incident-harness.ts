import { Registry } from 'prom-client';
import { createFakeWatchdog } from '../../src/app/create-watchdog.js';
import type { IncidentGrouping } from '../../src/config/config.js';
import type { RuleSettings } from '../../src/incidents/incident-rules.js';
import { ManualClock } from '../../src/time/manual-clock.js';
import type { TrunkSighting } from '../../src/trunks/trunk-sighting.js';
import { memoryLogger } from './test-config.js';

export const TRUNK = {
  trunkId: 't-nyc',
  name: 'Lumen SIP - NYC',
  edge: { id: 'e-nyc', name: 'edge-nyc-01' },
  proxyAddress: 'sip-a.lumen.example.net:5061',
};
export const KEY = 'trunkgate:trunk:t-nyc';

/**
 * The watchdog as createApp builds it, on fakes (createFakeWatchdog: in-memory stores, a fake ServiceNow, a fake
 * webhook and a ManualClock: ingest → incidents → relay → fake ServiceNow, plus alerts. Nothing runs
 * until `start()` (the relay is what most tests start).
 */
export function incidentHarness(
  options: { settings?: Partial<RuleSettings>; alertAfterMs?: number; grouping?: IncidentGrouping; isLeader?: () => boolean } = {},
) {
  const clock = new ManualClock(Date.UTC(2026, 0, 1, 12));
  const log = memoryLogger('info');
  const registry = new Registry();
  const settings: RuleSettings = {
    openAfterMs: 30_000,
    resolveAfterMs: 300_000,
    reopenWindowMs: 3_600_000,
    noteIntervalMs: 300_000,
    ...options.settings,
  };
  const watchdog = createFakeWatchdog({
    config: {
      incidents: { ...settings, groupBy: options.grouping ?? 'trunkBase' },
      actionTimeoutMs: 10_000,
      alertAfterMs: options.alertAfterMs ?? 120_000,
    },
    clock,
    logger: log.logger,
    registry,
    isLeader: options.isLeader,
    tickMs: 1_000,
    relay: { random: () => 0.5, pollMs: 5_000 },
    alertCheckMs: 1_000,
  });
  const { stores: store, servicenow, webhook } = watchdog;
  const { ingest, incidents, alerts } = watchdog;
  const { relay, metrics, rotations } = incidents;
  let n = 0;

  /** A sighting of the test trunk, observed now. */
  const see = (state: TrunkSighting['state'], extra: Partial<TrunkSighting> = {}) =>
    ingest.record({
      ...TRUNK,
      trunkBase: null,
      state,
      signal: state === 'unknown' ? null : 'registration',
      sipCode: state === 'rejected' ? 403 : null,
      errorText: state === 'rejected' ? '403 Forbidden' : state === 'dropped' ? 'No response to REGISTER' : null,
      connected: state !== 'dropped',
      registered: state === 'registered',
      stateTime: null,
      source: 'poll',
      observedAt: clock.now(),
      ...extra,
    });

  return {
    clock,
    store,
    servicenow,
    watchdog,
    ingest,
    incidents,
    relay,
    alerts,
    webhook,
    rotations,
    registry,
    metrics,
    settings,
    log,
    see,
    /** A unique event id. */
    eventId: () => `ev-${++n}`,
    /** Starts the incident tick and the relay (not the alerts: tests drive `alerts.check()`). */
    start() {
      incidents.start();
    },
    /** Lets queued work (relay, reviews) run without moving time. */
    settle: () => clock.advance(0),
    stop: () => watchdog.stop(0),
    /** ServiceNow incidents with this correlation id. */
    incidentsFor: (key = KEY) => [...servicenow.records.values()].filter((r) => r.correlation_id === key),
  };
}
