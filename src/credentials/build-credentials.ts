import type { GenesysConfig, ServiceNowConfig } from '../config/config.js';
import type { Logger } from '../log/logger.js';
import type { HttpClient } from '../net/http-client.js';
import type { Clock } from '../time/clock.js';
import type { CredentialsMetrics } from './credentials-metrics.js';
import type { CredentialsTrail } from './credentials-trail.js';
import { TokenBroker } from './token-broker.js';
import { GenesysTokenIssuer, GenesysTokenVerifier, ServiceNowTokenIssuer } from './token-issuers.js';
import type { TokenStore } from './token-store.js';
import { BasicCredentials, BrokeredCredentials, type UpstreamCredentials } from './upstream-credentials.js';

/** What every token broker shares: clocks, logs, one set of metrics, and where tokens are kept (Redis with REDIS_URL). */
export interface BrokerDeps {
  /** With several connections of an upstream: this one's name (token sharing key, logs). */
  connection?: string;
  clock: Clock;
  logger: Logger;
  metrics: CredentialsMetrics;
  store: TokenStore;
  /** Where rotations and failed refreshes are recorded (the audit trail). */
  trail?: CredentialsTrail;
}

/** Genesys client credentials: a broker that asks login.<region> and waits until the API (tokens/me) accepts each new token. */
export function genesysCredentials(
  config: GenesysConfig,
  http: { login: HttpClient; api: HttpClient },
  deps: BrokerDeps,
): UpstreamCredentials {
  return new BrokeredCredentials(
    new TokenBroker({
      upstream: 'genesys',
      issuer: new GenesysTokenIssuer(http.login, config, deps.clock),
      verifier: new GenesysTokenVerifier(http.api),
      ...deps,
      bufferMs: config.tokenRefreshBufferMs,
      requiredScopes: config.requiredScopes,
    }),
  );
}

/** ServiceNow: a broker for OAuth, static Basic for an integration user without an OAuth client. */
export function servicenowCredentials(config: ServiceNowConfig, http: HttpClient, deps: BrokerDeps): UpstreamCredentials {
  const auth = config.auth;
  if (auth.kind === 'basic') return new BasicCredentials(auth.username, auth.password);
  return new BrokeredCredentials(
    new TokenBroker({
      upstream: 'servicenow',
      issuer: new ServiceNowTokenIssuer(http, auth, deps.clock),
      ...deps,
      bufferMs: config.tokenRefreshBufferMs,
    }),
  );
}
