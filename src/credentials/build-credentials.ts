import type { Registry } from 'prom-client';
import type { Config } from '../config/config.js';
import type { Logger } from '../log/logger.js';
import type { Clock } from '../time/clock.js';
import { createHttpClient } from '../net/http-client.js';
import { CredentialsMetrics } from './credentials-metrics.js';
import { TokenBroker } from './token-broker.js';
import { GenesysTokenIssuer, GenesysTokenVerifier, ServiceNowTokenIssuer } from './token-issuers.js';
import type { TokenStore } from './token-store.js';
import { BasicCredentials, BrokeredCredentials, type UpstreamCredentials } from './upstream-credentials.js';

/** The axios instances of each upstream host (one per host, built once). */
export interface UpstreamHttp {
  genesysLogin: ReturnType<typeof createHttpClient>;
  genesysApi: ReturnType<typeof createHttpClient>;
  servicenow: ReturnType<typeof createHttpClient>;
}

export function buildUpstreamHttp(config: Config): UpstreamHttp {
  const timeoutMs = config.actionTimeoutMs;
  return {
    genesysLogin: createHttpClient({ baseURL: config.genesys.loginUrl, timeoutMs }),
    genesysApi: createHttpClient({ baseURL: config.genesys.apiUrl, timeoutMs }),
    servicenow: createHttpClient({ baseURL: config.servicenow.instanceUrl, timeoutMs }),
  };
}

/** Builds both upstreams' credentials: brokers for OAuth, static Basic for a ServiceNow user without a client. */
export function buildCredentials(deps: { config: Config; http: UpstreamHttp; clock: Clock; logger: Logger; registry: Registry; store: TokenStore }): { genesys: UpstreamCredentials; servicenow: UpstreamCredentials } {
  const { config, http, clock, logger, store } = deps;
  const metrics = new CredentialsMetrics(deps.registry);
  const genesys = new BrokeredCredentials(
    new TokenBroker({
      upstream: 'genesys',
      issuer: new GenesysTokenIssuer(http.genesysLogin, config.genesys, clock),
      verifier: new GenesysTokenVerifier(http.genesysApi),
      store,
      clock,
      logger,
      metrics,
      bufferMs: config.genesys.tokenRefreshBufferMs,
      requiredScopes: config.genesys.requiredScopes,
    }),
  );
  const sn = config.servicenow.auth;
  const servicenow =
    sn.kind === 'basic'
      ? new BasicCredentials(sn.username, sn.password)
      : new BrokeredCredentials(
          new TokenBroker({
            upstream: 'servicenow',
            issuer: new ServiceNowTokenIssuer(http.servicenow, sn, clock),
            store,
            clock,
            logger,
            metrics,
            bufferMs: config.servicenow.tokenRefreshBufferMs,
          }),
        );
  return { genesys, servicenow };
}
