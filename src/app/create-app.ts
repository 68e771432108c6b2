import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Express } from 'express';
import { Registry } from 'prom-client';
import type { ActionService } from '../actions/action-service.js';
import type { Config } from '../config/config.js';
import { connectionsOf } from '../config/connections.js';
import { createOrgs, type OrgRuntime } from './create-orgs.js';
import { buildCluster } from '../cluster/build-cluster.js';
import { LimiterConnection } from '../cluster/limiter-connection.js';
import type { LeaderLease } from '../cluster/leader-lease.js';
import type { RedisConnection } from '../cluster/redis-connection.js';
import type { TokenStore } from '../credentials/token-store.js';
import type { UpstreamCredentials } from '../credentials/upstream-credentials.js';
import { credentialsRoutes } from '../http/routes/credentials-routes.js';
import { systemClock, type Clock } from '../time/clock.js';
import { LocalCallerRateLimiter, SharedCallerRateLimiter } from '../callers/caller-rate-limiter.js';
import { warnAboutCallers } from '../callers/caller-warnings.js';
import { AccessControl } from '../http/access-control.js';
import { CallerAuthenticator } from '../http/caller-auth.js';
import { clientErrorHandler } from '../http/client-error.js';
import { errorHandler, notFound } from '../http/error-handler.js';
import { HttpMetrics } from '../http/http-metrics.js';
import { jsonBody } from '../http/json-body.js';
import type { ReadinessCheck } from '../meta/readiness-check.js';
import { accessLog, requestId } from '../http/request-context.js';
import { actionRoutes, orgActionRoutes } from '../http/routes/action-routes.js';
import { statusRoutes } from '../http/routes/status-routes.js';
import { auditRoutes } from '../http/routes/audit-routes.js';
import { AuditRecorder, auditQueries, credentialsTrail, recordLeadership } from './audit-trail.js';
import { maintenanceRoutes } from '../http/routes/maintenance-routes.js';
import { createWatchdog, watchCredentials, type Watchdog } from './create-watchdog.js';
import { closeServer } from './lifecycle.js';
import { createConsole } from './create-console.js';
import { loadIncidentMapping, type IncidentMapping } from '../incidents/incident-mapping.js';
import { openStores } from './stores.js';
import type { AppStores as Store } from './stores.js';
import { HttpAlertWebhook, type AlertWebhook } from '../upstream/alert-webhook.js';
import type { ServiceNowIncidents } from '../upstream/servicenow-client.js';
import { systemRoutes } from '../http/routes/system-routes.js';
import { type PermissionWatch } from '../monitor/permission-watch.js';
import type { TrunkMonitor } from '../monitor/trunk-monitor.js';
import { createLogger, type Logger } from '../log/logger.js';
import { createUpstreams, type Upstreams } from './create-upstreams.js';
import { failoverLimiterFactory } from '../upstream/failover-limiter.js';
import { limiterFactory } from '../upstream/limiter-factory.js';
import { LimiterMetrics } from '../upstream/limiter-metrics.js';
import { collectProcessMetrics } from '../meta/process-metrics.js';
import { VERSION } from '../meta/version.js';

/** Pieces a test (or the sandbox) may swap; everything else is built from config. */
export interface AppOverrides {
  logger?: Logger;
  registry?: Registry;
  actions?: ActionService;
  /** Process metrics (CPU, memory, event loop); off in most tests to avoid piling up collectors. */
  processMetrics?: boolean;
  readiness?: ReadinessCheck[];
  clock?: Clock;
  tokenStore?: TokenStore;
  leadership?: LeaderLease;
  credentials?: { genesys: UpstreamCredentials; servicenow: UpstreamCredentials };
  /** The store (default: PostgreSQL with DATABASE_URL, else SQLite in DATA_DIR); an override is not closed by `close()`. */
  store?: Store;
  /** What the outbox relay delivers to (default: the ServiceNow Table API client). */
  servicenowIncidents?: ServiceNowIncidents;
  /** The helpdesk webhook (default: ALERT_WEBHOOK_URL, or none). */
  alertWebhook?: AlertWebhook | null;
  incidentMapping?: IncidentMapping;
  /** The trunk monitor (default: polling + notifications from config); null runs none. */
  monitor?: TrunkMonitor | null;
}

/** A built trunkgate: the express app plus lifecycle. */
export interface TrunkgateApp {
  readonly express: Express;
  readonly logger: Logger;
  readonly registry: Registry;
  readonly credentials: { genesys: UpstreamCredentials; servicenow: UpstreamCredentials };
  /**
   * Who runs the trunk monitor: a Redis lease with REDIS_URL, otherwise always this replica. Started by
   * listen(), given up by close(); start single-instance work on `elected`, stop it on `revoked`.
   */
  readonly leadership: LeaderLease;
  /** The replica's Redis connection when REDIS_URL is set (closed by close()). */
  readonly redis?: RedisConnection;
  /** Each upstream's paced, retrying client, credentials and pacer (shared budgets): use these, never a client of your own. */
  readonly upstream: Upstreams;
  readonly store: Store;
  /** Trunk state, incident decisions, outbox relay and helpdesk alerts; `watchdog.ingest` is the trunk sighting sink. */
  readonly watchdog: Watchdog;
  /** Each Genesys org's actions, monitor and permission watch; the first is the default org. */
  readonly orgs: readonly OrgRuntime[];
  /** The first org's trunk monitor (on the leader only); null when disabled. */
  readonly monitor: TrunkMonitor | null;
  /** Whether Genesys allows what the first org's trunk monitor does (missing permissions). */
  readonly permissions: PermissionWatch;
  /** Starts listening; resolves with the base URL. */
  listen(port?: number, host?: string): Promise<string>;
  /** Stops accepting, drains in-flight requests (bounded by `config.shutdownGraceMs`), then releases everything. */
  close(): Promise<void>;
}

/** The composition root: builds every collaborator in order and wires the routes. */
export async function createApp(config: Config, overrides: AppOverrides = {}): Promise<TrunkgateApp> {
  const logger = overrides.logger ?? createLogger({ level: config.logLevel });
  const registry = overrides.registry ?? new Registry();
  if (overrides.processMetrics ?? true) collectProcessMetrics(registry);
  const httpMetrics = new HttpMetrics(registry);
  const clock = overrides.clock ?? systemClock;
  // With REDIS_URL the upstream budgets are shared by all replicas (bottleneck clustering on its own
  // connection), each limiter falling back to this replica's share while Redis cannot be reached.
  const limits = config.redisUrl
    ? new LimiterConnection({ url: config.redisUrl, keyPrefix: config.redisKeyPrefix, clock, logger })
    : undefined;
  const cluster = await buildCluster({
    config,
    clock,
    logger,
    registry,
    tokenStore: overrides.tokenStore,
    leadership: overrides.leadership,
  });
  await limits?.waitUntilUp(2_000);
  const limiters = limits
    ? failoverLimiterFactory({ source: limits, local: limiterFactory(), metrics: new LimiterMetrics(registry) })
    : limiterFactory();
  const named = connectionsOf(config).fromFile;
  const incidentMapping = overrides.incidentMapping ?? loadIncidentMapping({ dir: config.mappingsDir, env: process.env }).mapping;
  const store = overrides.store ?? (await openStores(config, { logger }));
  // Token rotations and failures, and leadership changes, go into the audit trail beside the decisions.
  const recorder = new AuditRecorder(store, logger);
  recordLeadership(cluster.leadership, recorder);
  const upstream = createUpstreams(config, {
    clock,
    logger,
    registry,
    limiters,
    tokenStore: cluster.tokenStore,
    credentials: overrides.credentials,
    trail: (name, connection) => credentialsTrail(recorder, { upstream: name, connection, perOrg: named }),
  });
  const credentials = { genesys: upstream.genesys.credentials, servicenow: upstream.servicenow.credentials };
  const watchdog = createWatchdog({
    config: { ...config, connections: connectionsOf(config) },
    stores: store,
    clock,
    logger,
    registry,
    servicenow: overrides.servicenowIncidents ?? new Map([...upstream.instances].map(([name, u]) => [name, u.client])),
    webhook:
      overrides.alertWebhook !== undefined
        ? overrides.alertWebhook
        : config.alertWebhookUrl
          ? new HttpAlertWebhook(config.alertWebhookUrl, 5_000)
          : null,
    mapping: incidentMapping,
    isLeader: () => cluster.leadership.isLeader,
    auditRetentionMs: config.auditRetentionDays * 86_400_000,
  });
  const orgs = createOrgs({
    config,
    orgs: upstream.orgs,
    sinkFor: (org) => watchdog.ingest.forOrg(org),
    clock,
    logger,
    registry,
    actions: overrides.actions,
    monitor: overrides.monitor,
  });
  const [first] = orgs as [OrgRuntime, ...OrgRuntime[]];
  const actions = first.actions;
  watchCredentials(watchdog, {
    orgs: orgs.map((o) => ({ org: o.name, credentials: o.upstreams.genesys.credentials, permissions: o.permissions })),
    instances: [...upstream.instances.values()].map((u) => ({ instance: named ? u.connection : undefined, credentials: u.credentials })),
  });
  const monitors = orgs.flatMap((o) => (o.monitor ? [o.monitor] : []));
  // One replica watches the trunks of every org (several would each hold notification channels and poll the same API budget).
  cluster.leadership.on('elected', () => monitors.forEach((m) => m.start()));
  cluster.leadership.on('revoked', () => monitors.forEach((m) => void m.stop()));
  const readiness: ReadinessCheck[] = overrides.readiness ?? [
    { name: 'store', check: async () => (await store.ping(), { ok: true, detail: store.kind }) },
    { name: 'mappings', check: async () => ({ ok: true, detail: `${actions.list().length} actions loaded` }) },
    ...upstream.all.map((u) => u.readiness),
    // Advisory: a missing permission stops the watchdog on every replica alike, and Data Actions still
    // work; taking replicas out of the load balancer would fix nothing (README, "Permissions and OAuth scopes").
    ...orgs.map((o) => ({
      name: named ? `genesys-permissions:${o.name}` : 'genesys-permissions',
      advisory: true,
      check: async () => o.permissions.readiness(),
    })),
    ...(cluster.readiness ? [cluster.readiness] : []),
    // Reported, never failed: without Redis each replica paces on its own share.
    ...(limits ? [{ name: 'rate-limits', check: async () => ({ ok: true, detail: limits.describe() }) }] : []),
  ];
  const auth = new CallerAuthenticator(config.gatewayAuth);
  warnAboutCallers(
    config.gatewayAuth,
    actions.list().map((a) => a.name),
    logger,
  );
  // With REDIS_URL one count per caller for all replicas, on the limits connection (local while Redis is down).
  const callerCounts = new LocalCallerRateLimiter(clock);
  const access = new AccessControl({
    limiter: limits ? new SharedCallerRateLimiter(limits, callerCounts, clock) : callerCounts,
    defaultPerMinute: config.gatewayAuth.rateLimitPerMinute,
  });
  const body = jsonBody({ limitBytes: config.maxPayloadBytes });
  const startedAt = Date.now();
  const credentialEntries = () => upstream.all.map((u) => ({ ...u.credentials.snapshot(), connection: u.connection }));
  const operatorConsole = createConsole({
    auth,
    access,
    status: watchdog.status,
    credentials: credentialEntries,
    alerts: store,
    orgs: orgs.map((o) => o.name),
    logger,
  });

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('trust proxy', false);
  app.use(requestId());
  app.use(accessLog(logger, httpMetrics));
  app.use(systemRoutes({ registry, readiness, actions, version: VERSION, startedAt }));
  app.use(
    '/v1',
    auth.middleware(),
    actionRoutes(actions, { access, body }),
    orgActionRoutes(new Map(orgs.map((o) => [o.name, o.actions])), { access, body }),
    credentialsRoutes(upstream.all, access),
    statusRoutes({ status: watchdog.status, events: watchdog.ingest, orgs: orgs.map((o) => o.name), access, body }),
    auditRoutes({ audit: auditQueries(store), orgs: orgs.map((o) => o.name), perOrg: named, access }),
    maintenanceRoutes({ windows: watchdog.incidents.maintenance, clock, access, body }),
  );
  app.use(operatorConsole.routes);
  app.use(notFound());
  app.use(errorHandler(logger));

  let server: Server | undefined;
  const background = upstream.all.map((u) => u.credentials);
  return {
    express: app,
    logger,
    registry,
    credentials,
    leadership: cluster.leadership,
    redis: cluster.redis,
    upstream,
    store,
    watchdog,
    orgs,
    monitor: first.monitor,
    permissions: first.permissions,
    listen: (port = config.port, host = config.host) =>
      new Promise<string>((resolve, reject) => {
        for (const component of background) component.start();
        watchdog.start();
        cluster.leadership.start();
        server = app.listen(port, host, (err?: Error) => {
          if (err) return reject(err);
          const address = server!.address() as AddressInfo;
          const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
          resolve(`http://${shownHost}:${address.port}`);
        });
        // What Node's parser refuses is answered in the error contract too (README, "Errors").
        server.on('clientError', clientErrorHandler({ logger, metrics: httpMetrics }));
        // An Expect other than 100-continue: Node would answer a bare 417 before routing (no request id,
        // not the error contract). A server MAY refuse it (RFC 9110, 10.1.1); trunkgate serves the
        // request as if the header were not there, so it is authenticated and answered like any other.
        server.on('checkExpectation', (req, res) => server!.emit('request', req, res));
        server.requestTimeout = 30_000;
        server.headersTimeout = 15_000;
        server.keepAliveTimeout = 65_000;
      }),
    close: async () => {
      // Event streams never end by themselves: end them first, so the server closes without waiting for them.
      operatorConsole.events.close();
      if (server) await closeServer(server, config.shutdownGraceMs);
      await Promise.all(monitors.map((m) => m.stop()));
      // Flush the outbox (bounded) before exit (docs/design.md, 'Outbox'); what is left waits in the store.
      await watchdog.stop(Math.min(5_000, config.shutdownGraceMs));
      for (const component of background) component.stop();
      await upstream.close();
      await limits?.close();
      // The lease is given up (and recorded) while the store is still open.
      await cluster.close();
      await recorder.flush();
      if (!overrides.store) await store.close();
    },
  };
}
