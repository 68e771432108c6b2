import type { Registry } from 'prom-client';
import type { Config } from '../config/config.js';
import { genesysCredentials, servicenowCredentials, type BrokerDeps } from '../credentials/build-credentials.js';
import { CredentialsMetrics } from '../credentials/credentials-metrics.js';
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

/** Every upstream trunkgate talks to, each built once from config; `all` is what the generic plumbing iterates. */
export interface Upstreams {
  readonly genesys: UpstreamDescriptor<GenesysClient>;
  readonly servicenow: UpstreamDescriptor<ServiceNowClient>;
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
  /** Credentials to use instead of brokers built from config (tests). */
  credentials?: { genesys?: UpstreamCredentials; servicenow?: UpstreamCredentials };
}

/**
 * Builds each upstream's HTTP clients, credentials, pacer and API client from config, the one way
 * createApp, the test harnesses and the benchmarks all use. A third upstream is its config, its
 * client, and one more descriptor here (with its mapping target above).
 */
export function createUpstreams(config: Config, deps: UpstreamsDeps): Upstreams {
  const { clock, logger, registry } = deps;
  const timeoutMs = config.actionTimeoutMs;
  const limiters = deps.limiters ?? limiterFactory();
  let brokerDeps: BrokerDeps | undefined;
  // Token metrics exist only when a broker does (overridden credentials have none).
  const brokers = () =>
    (brokerDeps ??= { clock, logger, metrics: new CredentialsMetrics(registry), store: deps.tokenStore ?? new InProcessTokenStore() });

  const genesysHttp = {
    login: createHttpClient({ baseURL: config.genesys.loginUrl, timeoutMs }),
    api: createHttpClient({ baseURL: config.genesys.apiUrl, timeoutMs }),
  };
  const servicenowHttp = createHttpClient({ baseURL: config.servicenow.instanceUrl, timeoutMs });
  const genesysAuth = deps.credentials?.genesys ?? genesysCredentials(config.genesys, genesysHttp, brokers());
  const servicenowAuth = deps.credentials?.servicenow ?? servicenowCredentials(config.servicenow, servicenowHttp, brokers());

  const metrics = new UpstreamMetrics(
    registry,
    MAPPING_TARGETS.map((t) => t.name),
  );
  const common = { clock, defaultTimeoutMs: timeoutMs, metrics, logger };
  const genesysPacer = new GenesysPacer({ limiters, clock, allowedPerMinute: config.genesys.rateLimitPerMinute });
  const servicenowPacer = new ServiceNowPacer({ limiters, clock, budgetPerHour: config.servicenow.rateLimitPerHour });
  const genesys: UpstreamDescriptor<GenesysClient> = {
    ...GENESYS,
    baseUrls: { api: config.genesys.apiUrl, login: config.genesys.loginUrl },
    credentials: genesysAuth,
    pacer: genesysPacer,
    client: new GenesysClient(genesysHttp.api, genesysAuth, { ...common, pacer: genesysPacer }),
    readiness: { name: 'genesys-token', check: () => genesysAuth.ready() },
  };
  const servicenow: UpstreamDescriptor<ServiceNowClient> = {
    ...SERVICENOW,
    baseUrls: { api: config.servicenow.instanceUrl },
    credentials: servicenowAuth,
    pacer: servicenowPacer,
    client: new ServiceNowClient(servicenowHttp, servicenowAuth, { ...common, pacer: servicenowPacer }),
    readiness: { name: 'servicenow-credentials', check: () => servicenowAuth.ready() },
  };
  const all = [genesys, servicenow];
  return {
    genesys,
    servicenow,
    all,
    close: async () => {
      await Promise.all(all.map((u) => u.pacer.close()));
    },
  };
}
