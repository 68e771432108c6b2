import type { Registry } from 'prom-client';
import type { Config } from '../config/config.js';
import type { UpstreamCredentials } from '../credentials/upstream-credentials.js';
import type { Logger } from '../log/logger.js';
import type { Store } from '../store/store.js';
import type { Clock } from '../time/clock.js';
import type { AlertWebhook } from '../upstream/alert-webhook.js';
import type { ServiceNowIncidents } from '../upstream/servicenow-client.js';
import { GenesysAccess, type PermissionEvents } from './genesys-access.js';
import { HelpdeskAlerts } from './helpdesk-alerts.js';
import type { IncidentMapping } from './incident-mapping.js';
import { IncidentMetrics } from './incident-metrics.js';
import { IncidentService } from './incident-service.js';
import { OutboxRelay } from './outbox-relay.js';
import { RotationTracker } from './rotation-tracker.js';
import { StatusQueries } from './status-views.js';
import { TrunkStateMetrics } from './trunk-state-metrics.js';

/** The registration watchdog's incident side, built and started as one piece. */
export interface IncidentPipeline {
  /** Decides about incidents; also the TrunkSightingSink the monitor feeds. */
  service: IncidentService;
  status: StatusQueries;
  relay: OutboxRelay;
  alerts: HelpdeskAlerts;
  start(): void;
  /** Stops deciding, flushes the outbox for at most `flushMs`, stops alerting. */
  stop(flushMs: number): Promise<void>;
}

export interface IncidentPipelineDeps {
  config: Config;
  store: Store;
  clock: Clock;
  logger: Logger;
  registry: Registry;
  /**
   * `monitor`: the credentials the trunks are read with (Genesys): their rotations and failures drive the
   * credentials incident. `delivery`: those incidents are delivered with (ServiceNow): their failure alerts the helpdesk.
   */
  credentials: { monitor: UpstreamCredentials; delivery: UpstreamCredentials };
  servicenow: ServiceNowIncidents;
  /** With several replicas: whether this one is the leader (decides the credential incident and alert). */
  isLeader?: () => boolean;
  webhook: AlertWebhook | null;
  mapping: IncidentMapping;
  /** Permissions Genesys refuses the trunk monitor: they make the credentials incident fail too. */
  permissions?: PermissionEvents;
}

/** Builds store-backed service → relay → alerts and subscribes them to the credential brokers' (and the monitor's permission) events. */
export function buildIncidentPipeline(deps: IncidentPipelineDeps): IncidentPipeline {
  const { config, store, clock, logger } = deps;
  const mapping = deps.mapping;
  const metrics = new IncidentMetrics(deps.registry, () => store.outboxDepth());
  new TrunkStateMetrics(deps.registry, () => store.listTrunks());
  const rotations = new RotationTracker(clock.now());
  const relay = new OutboxRelay({ store, servicenow: deps.servicenow, clock, logger, metrics, leaseMs: Math.max(60_000, 3 * config.actionTimeoutMs) });
  const decidesCredentials = deps.isLeader ?? (() => true);
  const service = new IncidentService({ store, clock, logger, metrics, mapping, rotations, settings: config.incidents, grouping: config.incidents.groupBy, onQueued: () => relay.wake(), decidesCredentials });
  const alerts = new HelpdeskAlerts({ store, clock, logger, metrics, webhook: deps.webhook, alertAfterMs: config.alertAfterMs, decidesCredentials });

  let running = false;
  const { monitor: genesys, delivery: servicenow } = deps.credentials;
  genesys.on('rotated', (e) => rotations.record(e.at));
  const access = new GenesysAccess({
    failed: (e) => void (running && service.credentialsFailed(e)),
    recovered: (at) => void (running && service.credentialsRecovered(at)),
  });
  genesys.on('failed', (e) => access.tokenFailed(e));
  genesys.on('recovered', (e) => access.tokenRecovered(e.at));
  deps.permissions?.on('missing', (problems, at) => access.permissionsMissing(problems, at));
  deps.permissions?.on('restored', (at) => access.permissionsRestored(at));
  servicenow.on('failed', (e) => void (running && alerts.servicenowCredentialsFailed(e.message)));
  servicenow.on('recovered', () => void (running && alerts.servicenowCredentialsRecovered()));

  return {
    service,
    status: new StatusQueries(store),
    relay,
    alerts,
    start() {
      running = true;
      service.start();
      relay.start();
      alerts.start();
    },
    async stop(flushMs) {
      running = false;
      await service.stop();
      await relay.stop(flushMs);
      await alerts.stop();
    },
  };
}
