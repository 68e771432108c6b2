import { Registry } from 'prom-client';
import { defaultIncidentMappingYaml } from '../../src/incidents/default-incident-mapping.js';
import { HelpdeskAlerts } from '../../src/incidents/helpdesk-alerts.js';
import { parseIncidentMapping } from '../../src/incidents/incident-mapping.js';
import { IncidentMetrics } from '../../src/incidents/incident-metrics.js';
import type { RuleSettings } from '../../src/incidents/incident-rules.js';
import { IncidentService } from '../../src/incidents/incident-service.js';
import type { IncidentGrouping } from '../../src/config/config.js';
import { OutboxRelay } from '../../src/incidents/outbox-relay.js';
import { RotationTracker } from '../../src/incidents/rotation-tracker.js';
import { FakeStore } from '../../src/store/fake-store.js';
import { ManualClock } from '../../src/time/manual-clock.js';
import type { TrunkSighting } from '../../src/trunks/trunk-sighting.js';
import { FakeAlertWebhook } from '../../src/upstream/alert-webhook.js';
import { FakeServiceNowIncidents } from '../../src/upstream/fake-servicenow-incidents.js';
import { memoryLogger } from './test-config.js';

export const TRUNK = { trunkId: 't-nyc', name: 'Lumen SIP - NYC', edge: { id: 'e-nyc', name: 'edge-nyc-01' }, proxyAddress: 'sip-a.lumen.example.net:5061' };
export const KEY = 'trunkgate:trunk:t-nyc';

/** The incident pipeline on fakes and a ManualClock: service → relay (running) → fake ServiceNow, plus alerts. */
export function incidentHarness(options: { settings?: Partial<RuleSettings>; alertAfterMs?: number; grouping?: IncidentGrouping } = {}) {
  const clock = new ManualClock(Date.UTC(2026, 0, 1, 12));
  const store = new FakeStore();
  const servicenow = new FakeServiceNowIncidents();
  const log = memoryLogger('info');
  const registry = new Registry();
  const metrics = new IncidentMetrics(registry, () => store.outboxDepth());
  const rotations = new RotationTracker(clock.now());
  const mapping = parseIncidentMapping(defaultIncidentMappingYaml, {}, 'built-in');
  const settings: RuleSettings = { openAfterMs: 30_000, resolveAfterMs: 300_000, reopenWindowMs: 3_600_000, noteIntervalMs: 300_000, ...options.settings };
  const relay = new OutboxRelay({ store, servicenow, clock, logger: log.logger, metrics, random: () => 0.5, pollMs: 5_000 });
  const service = new IncidentService({ store, clock, logger: log.logger, metrics, mapping, rotations, settings, grouping: options.grouping, onQueued: () => relay.wake(), tickMs: 1_000 });
  const webhook = new FakeAlertWebhook();
  const alerts = new HelpdeskAlerts({ store, clock, logger: log.logger, metrics, webhook, alertAfterMs: options.alertAfterMs ?? 120_000, checkMs: 1_000 });
  let n = 0;

  /** A sighting of the test trunk, observed now. */
  const see = (state: TrunkSighting['state'], extra: Partial<TrunkSighting> = {}) =>
    service.record({
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
    clock, store, servicenow, service, relay, alerts, webhook, rotations, registry, metrics, settings, log,
    see,
    /** A unique event id. */
    eventId: () => `ev-${++n}`,
    start() {
      service.start();
      relay.start();
    },
    /** Lets queued work (relay, reviews) run without moving time. */
    settle: () => clock.advance(0),
    async stop() {
      await service.stop();
      await relay.stop(0);
      await alerts.stop();
    },
    /** ServiceNow incidents with this correlation id. */
    incidentsFor: (key = KEY) => [...servicenow.records.values()].filter((r) => r.correlation_id === key),
  };
}
