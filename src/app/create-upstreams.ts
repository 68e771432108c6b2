import type { Registry } from 'prom-client';
import type { Config } from '../config/config.js';
import { connectionsOf } from '../config/connections.js';
import { genesysCredentials, servicenowCredentials, type BrokerDeps } from '../credentials/build-credentials.js';
import { CredentialsMetrics } from '../credentials/credentials-metrics.js';
import type { CredentialsTrail } from '../credentials/credentials-trail.js';
import { InProcessTokenStore, type TokenStore } from '../credentials/token-store.js';
import type { UpstreamCredentials } from '../credentials/upstream-credentials.js';
import type { Logger } from '../log/logger.js';
import { createHttpClient } from '../net/http-client.js';
import type { Clock } from '../time/clock.js';
import { GenesysClient } from '../upstream/genesys-client.js';
import { GenesysPacer } from '../upstream/genesys-pacer.js';
import { limiterFactory, type LimiterFactory } from '../upstream/limiter-factory.js';
import { ServiceNowClient } from '../upstream/servicenow-client.js';
import { ServiceNowPacer } from '../upstream/servicenow-pacer.js';
import type { MappingTarget, UpstreamDescriptor } from '../upstream/upstream-descriptor.js';
import { UpstreamMetrics } from '../upstream/upstream-metrics.js';

/** Genesys Cloud's Platform API: a mapping step may call any path under /api/v2/ on GENESYS_API_URL. */
export const GENESYS = { name: 'genesys', pathPrefix: '/api/v2/' } as const satisfies MappingTarget;
/** A ServiceNow instance's REST APIs (the Table API and the others under /api/), never its UI pages or login. */
export const SERVICENOW = { name: 'servicenow', pathPrefix: '/api/' } as const satisfies MappingTarget;
/** What a mapping file may name as its `upstream`, with the paths it may call there. */
export const MAPPING_TARGETS: readonly MappingTarget[] = [GENESYS, SERVICENOW];

/** One Genesys org's upstreams: its own API client (credentials, pacing budget) and the ServiceNow instance it uses. */
export interface OrgUpstreams {
  readonly name: string;
  readonly genesys: UpstreamDescriptor<GenesysClient>;
  readonly servicenow: UpstreamDescriptor<ServiceNowClient>;
}

/** Every upstream trunkgate talks to, each built once from config; `all` is what the generic plumbing iterates. */
export interface Upstreams {
  /** The first org's Genesys, and its ServiceNow instance (the only ones without a connections file). */
  readonly genesys: UpstreamDescriptor<GenesysClient>;
  readonly servicenow: UpstreamDescriptor<ServiceNowClient>;
  /** Every Genesys org, the default (first) one first. */
  readonly orgs: readonly OrgUpstreams[];
  /** Every ServiceNow instance by name. */
  readonly instances: ReadonlyMap<string, UpstreamDescriptor<ServiceNowClient>>;
  /** In the order /readyz and /v1/credentials list them. */
  readonly all: readonly UpstreamDescriptor[];
  /** Stops the pacers' timers and limiters. */
  close(): Promise<void>;
}

export interface UpstreamsDeps {
  clock: Clock;
  logger: Logger;
  registry: Registry;
  /** Where the pacers keep their budgets (with REDIS_URL: shared by the replicas); default: in this process. */
  limiters?: LimiterFactory;
  /** Where the token brokers keep and share tokens; default: in this process. */
  tokenStore?: TokenStore;
  /** Each broker's trail into the audit (rotations, failed refreshes). */
  trail?: (upstream: 'genesys' | 'servicenow', connection: string) => CredentialsTrail;
  /** Credentials to use instead of brokers built from config (tests; the first org and instance only). */
  credentials?: { genesys?: UpstreamCredentials; servicenow?: UpstreamCredentials };
}

/**
 * Builds each upstream's HTTP clients, credentials, pacer and API client from config, the one way
 * createApp, the test harnesses and the benchmarks all use: one Genesys descriptor per org and one
 * ServiceNow descriptor per instance (README, "Several orgs"), each with its own credentials and its own
 * pacing budget (Genesys limits are per OAuth client: docs/genesys-cloud.md, 'Rate limits'). A third
 * upstream is its config, its client, and one more descriptor here (with its mapping target above).
 */
export function createUpstreams(config: Config, deps: UpstreamsDeps): Upstreams {
  const { clock, logger, registry } = deps;
  const connections = connectionsOf(config);
  const named = connections.fromFile;
  const timeoutMs = config.actionTimeoutMs;
  const limiters = deps.limiters ?? limiterFactory();
  let shared: Omit<BrokerDeps, 'connection' | 'trail'> | undefined;
  // Token metrics exist only when a broker does (overridden credentials have none).
  const brokers = (upstream: 'genesys' | 'servicenow', connection: string): BrokerDeps => ({
    ...(shared ??= { clock, logger, metrics: new CredentialsMetrics(registry), store: deps.tokenStore ?? new InProcessTokenStore() }),
    ...(named ? { connection } : {}),
    trail: deps.trail?.(upstream, connection),
  });
  // With a connections file every per-connection metric carries `connection` (docs/design.md, 'Several orgs').
  const label = (connection: string) => (named ? { connection } : {});
  const metrics = new UpstreamMetrics(
    registry,
    named
      ? [
          ...connections.orgs.map((o) => ({ upstream: GENESYS.name, connection: o.name })),
          ...connections.instances.map((sn) => ({ upstream: SERVICENOW.name, connection: sn.name })),
        ]
      : MAPPING_TARGETS.map((t) => t.name),
  );
  const common = { clock, defaultTimeoutMs: timeoutMs, metrics, logger };
  // With one connection of each, readiness keeps its names; with several, each check names its connection
  // and is advisory: one org's or instance's credentials fail alike on every replica, so taking the
  // replicas out of the load balancer would fix nothing and stop every other org (README, "Several orgs").
  const readinessOf = (base: string, connection: string, credentials: UpstreamCredentials) =>
    named
      ? { name: `${base}:${connection}`, advisory: true, check: () => credentials.ready() }
      : { name: base, check: () => credentials.ready() };
  const first = { org: connections.orgs[0]!.name, instance: connections.orgs[0]!.servicenow };

  // Built in this order (Genesys orgs, then instances) so each pacer's limiters are made in config order.
  const genesysOf = connections.orgs.map((org) => {
    const http = {
      login: createHttpClient({ baseURL: org.loginUrl, timeoutMs }),
      api: createHttpClient({ baseURL: org.apiUrl, timeoutMs }),
    };
    const credentials =
      (org.name === first.org ? deps.credentials?.genesys : undefined) ?? genesysCredentials(org, http, brokers('genesys', org.name));
    const pacer = new GenesysPacer({ limiters, clock, allowedPerMinute: org.rateLimitPerMinute, ...label(org.name) });
    const genesys: UpstreamDescriptor<GenesysClient> = {
      ...GENESYS,
      connection: org.name,
      baseUrls: { api: org.apiUrl, login: org.loginUrl },
      credentials,
      pacer,
      client: new GenesysClient(http.api, credentials, { ...common, pacer, ...label(org.name) }),
      readiness: readinessOf('genesys-token', org.name, credentials),
    };
    return genesys;
  });
  const instances = new Map(
    connections.instances.map((sn) => {
      const http = createHttpClient({ baseURL: sn.instanceUrl, timeoutMs });
      const credentials =
        (sn.name === first.instance ? deps.credentials?.servicenow : undefined) ??
        servicenowCredentials(sn, http, brokers('servicenow', sn.name));
      const pacer = new ServiceNowPacer({ limiters, clock, budgetPerHour: sn.rateLimitPerHour, ...label(sn.name) });
      const descriptor: UpstreamDescriptor<ServiceNowClient> = {
        ...SERVICENOW,
        connection: sn.name,
        baseUrls: { api: sn.instanceUrl },
        credentials,
        pacer,
        client: new ServiceNowClient(http, credentials, { ...common, pacer, ...label(sn.name) }),
        readiness: readinessOf('servicenow-credentials', sn.name, credentials),
      };
      return [sn.name, descriptor] as const;
    }),
  );
  const orgs = connections.orgs.map((org, i): OrgUpstreams => ({
    name: org.name,
    genesys: genesysOf[i]!,
    servicenow: instances.get(org.servicenow)!,
  }));
  const all = [...orgs.map((o) => o.genesys), ...instances.values()];
  return {
    genesys: orgs[0]!.genesys,
    servicenow: orgs[0]!.servicenow,
    orgs,
    instances,
    all,
    close: async () => {
      await Promise.all(all.map((u) => u.pacer.close()));
    },
  };
}
