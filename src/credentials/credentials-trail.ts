/**
 * What a token broker tells the audit trail (README, "Audit trail"). The credentials feature does not
 * know the audit store: the composition root (src/app/) gives each broker a trail that writes there.
 */

/** A new token this replica obtained and now serves. One adopted from another replica is not reported: that replica reported it. */
export interface TokenRotation {
  upstream: string;
  /** The connection (Genesys org or ServiceNow instance) with several of the upstream; undefined with one. */
  connection?: string;
  at: number;
  verified: boolean;
  /** How long the API took to accept it (Genesys), when measured. */
  propagationMs?: number;
  expiresAt: number;
  previousExpiresAt?: number;
}

/** One failed refresh attempt (each is reported, whether or not a usable token is still served). */
export interface TokenRefreshFailure {
  upstream: string;
  connection?: string;
  at: number;
  /** Credentials refused (invalid_client, missing scopes…): retried only every few minutes. */
  permanent: boolean;
  /** The how-manieth failure in a row. */
  attempt: number;
  retryInMs: number;
  message: string;
  /** Whether the previous token is still served meanwhile (callers unaffected). */
  stillServing: boolean;
}

export interface CredentialsTrail {
  rotated(e: TokenRotation): void;
  refreshFailed(e: TokenRefreshFailure): void;
}
