/**
 * An upstream's name (`genesys`, `servicenow`): the label of its metrics, its entry in /v1/credentials
 * and what a mapping file names. Which upstreams exist is decided once, in the composition root.
 */
export type UpstreamName = string;

/** What a token endpoint answered, with the timing evidence needed to place its expiry. */
export interface TokenGrant {
  accessToken: string;
  /** Seconds of life from the moment the request was sent. */
  expiresInSec: number;
  refreshToken?: string;
  scope?: string;
  /** Monotonic time the request was sent (expiry is counted from here: the conservative end). */
  sentAtMono: number;
  /** Wall time the request was sent and the answer arrived, and the server's Date header if any. */
  sentAtWall: number;
  receivedAtWall: number;
  serverDateMs?: number;
}

/** Asks an upstream's token endpoint for a token. Throws TokenEndpointError. */
export interface TokenIssuer {
  requestToken(signal?: AbortSignal): Promise<TokenGrant>;
}

export type VerifyResult = { status: 'valid'; scopes: string[] } | { status: 'not_yet'; detail: string };

/** Checks that an upstream accepts a token (Genesys: GET /api/v2/tokens/me). Throws on transport errors. */
export interface TokenVerifier {
  verify(accessToken: string, signal?: AbortSignal): Promise<VerifyResult>;
}

/**
 * A token endpoint failure. `transient` ones (timeout, refused, 5xx, 429) are retried with backoff;
 * `permanent` ones (invalid_client, invalid_grant, 400/401) wait minutes and raise a credentials incident.
 */
export class TokenEndpointError extends Error {
  constructor(
    message: string,
    readonly kind: 'transient' | 'permanent',
    readonly info: { status?: number; oauthError?: string; retryAfterMs?: number } = {},
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'TokenEndpointError';
  }
}

/** The token is fine but its `authorizedScope` lacks OAuth scopes listed in GENESYS_REQUIRED_SCOPES. */
export class MissingScopesError extends Error {
  constructor(
    readonly upstream: string,
    readonly missing: string[],
  ) {
    super(
      `the ${upstream} OAuth client lacks the scopes ${missing.join(', ')} (GENESYS_REQUIRED_SCOPES); add them to the OAuth client's scopes, or remove them from GENESYS_REQUIRED_SCOPES`,
    );
    this.name = 'MissingScopesError';
  }
}

/** No token can be handed out (none obtained yet, or the last refresh failed and the old one is too old). */
export class CredentialsUnavailableError extends Error {
  constructor(
    readonly upstream: string,
    reason: string,
    cause?: unknown,
  ) {
    super(`no usable ${upstream} token: ${reason}`, cause === undefined ? undefined : { cause });
    this.name = 'CredentialsUnavailableError';
  }
}

/** A token the broker hands out. Callers pass it back when an upstream refuses it. */
export interface HeldToken {
  readonly value: string;
  readonly obtainedAtWall: number;
  readonly expiresAtMono: number;
  readonly expiresAtWall: number;
  readonly lifetimeMs: number;
  readonly hardBufferMs: number;
  softAtMono: number;
  verified: boolean;
  scopes: string[];
  /** Set once an upstream accepted it: a later 403 is then a permission problem, not a rotation race. */
  accepted: boolean;
  invalidated: boolean;
  /** Handed out as the re-auth after a refusal: if it is refused too, another token will not help. */
  issuedForRetry: boolean;
}

export interface RotatedEvent {
  upstream: string;
  at: number;
  previousExpiresAt?: number;
  verified: boolean;
  propagationMs?: number;
}

export interface FailedEvent {
  upstream: string;
  at: number;
  permanent: boolean;
  message: string;
}

/** What /v1/credentials shows: never the token. */
export interface CredentialsSnapshot {
  name: string;
  expiresAt: string | null;
  refreshedAt: string | null;
  nextRefreshAt: string | null;
  refreshCount: number;
  failureCount: number;
  lastError: string | null;
  verified: boolean;
  scopes: string[];
  skewMs: number | null;
  state: 'ok' | 'refreshing' | 'degraded' | 'failed';
}

/** One connection's entry in `GET /v1/credentials`: its credentials' snapshot and which connection it is. */
export interface CredentialsEntry extends CredentialsSnapshot {
  connection: string;
}
