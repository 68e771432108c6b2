import type { Registry } from 'prom-client';
import type { Config } from '../config/config.js';
import type { UpstreamHttp } from '../credentials/build-credentials.js';
import type { UpstreamCredentials } from '../credentials/upstream-credentials.js';
import type { Logger } from '../log/logger.js';
import type { Clock } from '../time/clock.js';
import { GenesysClient } from './genesys-client.js';
import { GenesysPacer } from './genesys-pacer.js';
import type { LimiterFactory } from './limiter-factory.js';
import { ServiceNowClient } from './servicenow-client.js';
import { ServiceNowPacer } from './servicenow-pacer.js';
import { UpstreamMetrics } from './upstream-metrics.js';

/** The one paced client of each upstream; every component calling an upstream shares them (and their budgets). */
export interface UpstreamClients {
  genesys: GenesysClient;
  servicenow: ServiceNowClient;
  /** Stops the pacers' timers and limiters. */
  close(): Promise<void>;
}

export function buildUpstreamClients(deps: {
  config: Config;
  http: UpstreamHttp;
  credentials: { genesys: UpstreamCredentials; servicenow: UpstreamCredentials };
  clock: Clock;
  logger: Logger;
  registry: Registry;
  limiters: LimiterFactory;
}): UpstreamClients {
  const { config, http, credentials, clock, logger, limiters } = deps;
  const metrics = new UpstreamMetrics(deps.registry);
  const genesysPacer = new GenesysPacer({ limiters, clock, allowedPerMinute: config.genesys.rateLimitPerMinute });
  const servicenowPacer = new ServiceNowPacer({ limiters, clock, budgetPerHour: config.servicenow.rateLimitPerHour });
  const common = { clock, defaultTimeoutMs: config.actionTimeoutMs, metrics, logger };
  return {
    genesys: new GenesysClient(http.genesysApi, credentials.genesys, { ...common, pacer: genesysPacer }),
    servicenow: new ServiceNowClient(http.servicenow, credentials.servicenow, { ...common, pacer: servicenowPacer }),
    close: async () => {
      await Promise.all([genesysPacer.close(), servicenowPacer.close()]);
    },
  };
}
