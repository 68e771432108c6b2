import { Registry } from 'prom-client';
import { createAlerts } from '../alerts/create-alerts.js';
import type { HelpdeskAlerts } from '../alerts/helpdesk-alerts.js';
import type { Config } from '../config/config.js';
import type { ConnectionsConfig } from '../config/connections.js';
import type { UpstreamCredentials } from '../credentials/upstream-credentials.js';
import { createIncidents, type Incidents, type IncidentsDeps } from '../incidents/create-incidents.js';
import type { DecisionTx } from '../incidents/decisions.js';
import { GenesysAccess, type PermissionEvents } from '../incidents/genesys-access.js';
import { parseIncidentMapping, type IncidentMapping } from '../incidents/incident-mapping.js';
import { StatusQueries } from '../incidents/status-views.js';
import type { Logger } from '../log/logger.js';
import type { Periodic } from '../time/periodic.js';
import type { Clock } from '../time/clock.js';
import { createTrunks } from '../trunks/create-trunks.js';
import type { TrunkIngest } from '../trunks/trunk-ingest.js';
import { FakeAlertWebhook, type AlertWebhook } from '../upstream/alert-webhook.js';
import { FakeServiceNowIncidents } from '../upstream/fake-servicenow-incidents.js';
import { defaultIncidentMappingYaml } from '../incidents/default-incident-mapping.js';
import type { FakeDatabase } from '../store/fake-database.js';
import { createRetention } from './retention.js';
import { createFakeStores, type AppStores, type Stores } from './stores.js';
import type { StoreSet } from '../store/store-set.js';

export interface WatchdogDeps {
  config: Pick<Config, 'incidents' | 'actionTimeoutMs' | 'alertAfterMs'> & { connections?: ConnectionsConfig };
  stores: StoreSet<Stores>;
  clock: Clock;
  logger: Logger;
  registry: Registry;
  /** Where incidents are delivered: one client, or one per ServiceNow instance (connection name). */
  servicenow: IncidentsDeps['servicenow'];
  /** Null when ALERT_WEBHOOK_URL is unset. */
  webhook: AlertWebhook | null;
  mapping: IncidentMapping;
  /** With several replicas: whether this one is the leader (decides the credentials incident and alert). */
  isLeader?: () => boolean;
  /** Trunk history older than this is pruned (default 30 days). */
  retentionMs?: number;
  /** Audit entries older than this are pruned (default: AUDIT_RETENTION_DAYS' default, 90 days). */
  auditRetentionMs?: number;
  /** What tests and benchmarks tune: the incident tick, the relay, the alert check. */
  tickMs?: number;
  relay?: IncidentsDeps['relay'];
  alertCheckMs?: number;
}

/** The registration watchdog behind the monitor: trunk state → incidents → ServiceNow, and the helpdesk fallback. */
export interface Watchdog {
  /** The TrunkSightingSink the monitor feeds, and `POST /v1/events`' target. */
  ingest: TrunkIngest<DecisionTx>;
  incidents: Incidents;
  alerts: HelpdeskAlerts;
  status: StatusQueries;
  retention: Periodic;
  /** Whether it is started (credential events are acted on only then). */
  readonly running: boolean;
  start(): void;
  /** Stops deciding, flushes the outbox for at most `flushMs`, stops alerting and pruning. */
  stop(flushMs: number): Promise<void>;
}

/** Builds trunks → incidents → alerts over one set of stores, as every process and test runs them. */
export function createWatchdog(deps: WatchdogDeps): Watchdog {
  const { config, stores, clock, logger, registry } = deps;
  const incidents = createIncidents({
    config,
    stores,
    clock,
    logger,
    registry,
    servicenow: deps.servicenow,
    mapping: deps.mapping,
    isLeader: deps.isLeader,
    tickMs: deps.tickMs,
    relay: deps.relay,
  });
  const { ingest } = createTrunks<DecisionTx>({
    stores,
    clock,
    logger,
    registry,
    openAfterMs: config.incidents.openAfterMs,
    defaultOrg: config.connections?.orgs[0]?.name,
    perOrg: config.connections?.fromFile,
    orgs: config.connections?.orgs.map((o) => o.name),
    watcher: incidents.trunks,
  });
  const alerts = createAlerts({
    config,
    stores,
    clock,
    logger,
    registry,
    webhook: deps.webhook,
    isLeader: deps.isLeader,
    checkMs: deps.alertCheckMs,
  });
  const retention = createRetention({ stores, clock, logger, retentionMs: deps.retentionMs, auditRetentionMs: deps.auditRetentionMs });
  let running = false;
  return {
    ingest,
    incidents,
    alerts,
    retention,
    status: new StatusQueries(stores, incidents.maintenance),
    get running() {
      return running;
    },
    start() {
      running = true;
      incidents.start();
      alerts.start();
      retention.start({ immediately: true });
    },
    async stop(flushMs) {
      running = false;
      await retention.stop();
      await incidents.stop(flushMs);
      await alerts.stop();
    },
  };
}

/** One org's Genesys credentials and the permission events of its trunk monitor. */
export interface OrgCredentialSources {
  org: string;
  credentials: UpstreamCredentials;
  permissions?: PermissionEvents;
}

/**
 * Feeds the credential brokers' events (and the monitors' permission events) to the watchdog. Each
 * org's Genesys credentials (what its trunks are read with): their rotations go into its incident
 * texts, their failures (and refused permissions) drive its credentials incident. Each ServiceNow
 * instance's credentials (what incidents are delivered with): their failure alerts the helpdesk.
 * `instance` names the instance only when there are several. Acted on only while the watchdog runs.
 */
export function watchCredentials(
  w: Watchdog,
  sources: { orgs: readonly OrgCredentialSources[]; instances: ReadonlyArray<{ instance?: string; credentials: UpstreamCredentials }> },
): void {
  for (const { org, credentials: genesys, permissions } of sources.orgs) {
    const incident = w.incidents.credentialsOf(org);
    genesys.on('rotated', (e) => w.incidents.rotationsOf(org).record(e.at));
    const access = new GenesysAccess({
      failed: (e) => void (w.running && incident.failed(e)),
      recovered: (at) => void (w.running && incident.recovered(at)),
    });
    genesys.on('failed', (e) => access.tokenFailed(e));
    genesys.on('recovered', (e) => access.tokenRecovered(e.at));
    permissions?.on('missing', (problems, at) => access.permissionsMissing(problems, at));
    permissions?.on('restored', (at) => access.permissionsRestored(at));
  }
  for (const { instance, credentials: servicenow } of sources.instances) {
    servicenow.on('failed', (e) => void (w.running && w.alerts.servicenowCredentialsFailed(e.message, instance)));
    servicenow.on('recovered', () => void (w.running && w.alerts.servicenowCredentialsRecovered(instance)));
  }
}

/** What `createFakeWatchdog` may be given; everything else has a test-friendly default. */
export type FakeWatchdogDeps = Partial<Omit<WatchdogDeps, 'stores' | 'servicenow' | 'webhook'>> & { clock: Clock; logger: Logger };

/**
 * The same watchdog on fakes: in-memory stores, a fake ServiceNow and a fake helpdesk webhook, the
 * built-in incident mapping and the default rules (for unit tests of the pipeline).
 */
export function createFakeWatchdog(
  deps: FakeWatchdogDeps,
): Watchdog & { stores: AppStores<FakeDatabase>; servicenow: FakeServiceNowIncidents; webhook: FakeAlertWebhook } {
  const stores = createFakeStores();
  const servicenow = new FakeServiceNowIncidents();
  const webhook = new FakeAlertWebhook();
  const watchdog = createWatchdog({
    config: deps.config ?? { incidents: DEFAULT_RULES, actionTimeoutMs: 10_000, alertAfterMs: 120_000 },
    registry: deps.registry ?? new Registry(),
    mapping: deps.mapping ?? parseIncidentMapping(defaultIncidentMappingYaml, {}, 'built-in'),
    ...deps,
    stores,
    servicenow,
    webhook,
  });
  return Object.assign(watchdog, { stores, servicenow, webhook });
}

const DEFAULT_RULES: Config['incidents'] = {
  openAfterMs: 30_000,
  resolveAfterMs: 300_000,
  reopenWindowMs: 3_600_000,
  noteIntervalMs: 300_000,
  groupBy: 'trunkBase',
};
