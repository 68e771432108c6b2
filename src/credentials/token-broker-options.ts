import type { Logger } from '../log/logger.js';
import type { Clock } from '../time/clock.js';
import type { CredentialsMetrics } from './credentials-metrics.js';
import type { CredentialsTrail } from './credentials-trail.js';
import type { TokenStore } from './token-store.js';
import type { TokenIssuer, TokenVerifier, UpstreamName } from './token-types.js';

/** What a TokenBroker is made of. */
export interface TokenBrokerOptions {
  upstream: UpstreamName;
  /** With several connections of one upstream (Genesys orgs): which one; its token is shared under its own key. */
  connection?: string;
  issuer: TokenIssuer;
  verifier?: TokenVerifier;
  store: TokenStore;
  clock: Clock;
  logger: Logger;
  metrics: CredentialsMetrics;
  bufferMs: number;
  requiredScopes?: string[];
  random?: () => number;
  /** Where its rotations and failed refreshes are recorded (the audit trail). */
  trail?: CredentialsTrail;
}
