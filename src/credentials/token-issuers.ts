import type { AxiosInstance, AxiosResponse } from 'axios';
import type { ServiceNowAuth } from '../config/config.js';
import type { Clock } from '../time/clock.js';
import { isNetworkError, networkErrorText } from '../net/network-error.js';
import { retryAfterOf } from '../net/retry-after.js';
import { TokenEndpointError, type TokenGrant, type TokenIssuer, type TokenVerifier, type VerifyResult } from './token-types.js';

const PERMANENT_OAUTH_ERRORS = new Set([
  'invalid_client',
  'unauthorized_client',
  'invalid_grant',
  'unsupported_grant_type',
  'invalid_scope',
  'access_denied',
]);

interface OAuthBody {
  access_token?: unknown;
  expires_in?: unknown;
  refresh_token?: unknown;
  scope?: unknown;
  error?: unknown;
  error_description?: unknown;
  description?: unknown;
}

/** Turns a token endpoint's answer into a grant, or a transient/permanent TokenEndpointError. */
function readGrant(
  upstream: string,
  res: AxiosResponse<OAuthBody>,
  timing: { sentAtMono: number; sentAtWall: number },
  clock: Clock,
): TokenGrant {
  const body = (typeof res.data === 'object' && res.data !== null ? res.data : {}) as OAuthBody;
  const receivedAtWall = clock.now();
  if (res.status === 200 && typeof body.access_token === 'string' && body.access_token !== '') {
    const expiresIn = Number(body.expires_in);
    if (!Number.isFinite(expiresIn) || expiresIn <= 0)
      throw new TokenEndpointError(`${upstream} token endpoint answered without a valid expires_in`, 'transient', { status: 200 });
    const date = res.headers.date ? Date.parse(String(res.headers.date)) : Number.NaN;
    return {
      accessToken: body.access_token,
      expiresInSec: expiresIn,
      refreshToken: typeof body.refresh_token === 'string' ? body.refresh_token : undefined,
      scope: typeof body.scope === 'string' ? body.scope : undefined,
      ...timing,
      receivedAtWall,
      serverDateMs: Number.isNaN(date) ? undefined : date,
    };
  }
  const oauthError = typeof body.error === 'string' ? body.error : undefined;
  const description = [body.error_description, body.description].find((d) => typeof d === 'string') as string | undefined;
  const what = `${upstream} token endpoint answered ${res.status}${oauthError ? ` ${oauthError}` : ''}${description ? ` (${description.slice(0, 200)})` : ''}`;
  if (res.status === 429) {
    return throwError(
      new TokenEndpointError(what, 'transient', { status: 429, oauthError, retryAfterMs: retryAfterOf(res, clock.now()) ?? 3_000 }),
    );
  }
  if (res.status >= 500 || res.status === 408)
    return throwError(new TokenEndpointError(what, 'transient', { status: res.status, oauthError }));
  if (res.status === 400 || res.status === 401 || res.status === 403 || (oauthError && PERMANENT_OAUTH_ERRORS.has(oauthError))) {
    return throwError(new TokenEndpointError(what, 'permanent', { status: res.status, oauthError }));
  }
  return throwError(new TokenEndpointError(what, 'transient', { status: res.status, oauthError }));
}

function throwError(err: Error): never {
  throw err;
}

async function post(
  upstream: string,
  http: AxiosInstance,
  path: string,
  form: URLSearchParams,
  headers: Record<string, string>,
  clock: Clock,
): Promise<TokenGrant> {
  const sentAtMono = clock.monotonic();
  const sentAtWall = clock.now();
  let res: AxiosResponse<OAuthBody>;
  try {
    res = await http.post<OAuthBody>(path, form.toString(), {
      headers: { ...headers, 'Content-Type': 'application/x-www-form-urlencoded' },
    });
  } catch (err) {
    if (isNetworkError(err))
      throw new TokenEndpointError(`${upstream} token endpoint unreachable: ${networkErrorText(err)}`, 'transient', {}, err);
    throw err;
  }
  return readGrant(upstream, res, { sentAtMono, sentAtWall }, clock);
}

/** Genesys Cloud client credentials: POST login.<region>/oauth/token with Basic client auth (docs/genesys-cloud.md, 'OAuth client credentials'). */
export class GenesysTokenIssuer implements TokenIssuer {
  private readonly basic: string;

  constructor(
    private readonly http: AxiosInstance,
    credentials: { clientId: string; clientSecret: string },
    private readonly clock: Clock,
  ) {
    this.basic = `Basic ${Buffer.from(`${credentials.clientId}:${credentials.clientSecret}`).toString('base64')}`;
  }

  requestToken(): Promise<TokenGrant> {
    return post(
      'genesys',
      this.http,
      '/oauth/token',
      new URLSearchParams({ grant_type: 'client_credentials' }),
      { Authorization: this.basic },
      this.clock,
    );
  }
}

/** Genesys: a token is good once GET /api/v2/tokens/me accepts it; a 401 means not propagated yet. */
export class GenesysTokenVerifier implements TokenVerifier {
  constructor(private readonly http: AxiosInstance) {}

  async verify(accessToken: string): Promise<VerifyResult> {
    const res = await this.http.get<{ authorizedScope?: unknown }>('/api/v2/tokens/me', {
      headers: { Authorization: `Bearer ${accessToken}` },
    });
    if (res.status === 200) {
      const scopes = Array.isArray(res.data?.authorizedScope)
        ? res.data.authorizedScope.filter((s): s is string => typeof s === 'string')
        : [];
      return { status: 'valid', scopes };
    }
    if (res.status === 401) return { status: 'not_yet', detail: 'tokens/me answered 401' };
    throw new Error(`tokens/me answered ${res.status}`);
  }
}

/**
 * ServiceNow OAuth (POST /oauth_token.do, form-encoded only): password grant with an integration user,
 * or client_credentials. Once it holds a refresh token it renews with it, because asking the primary
 * grant again inside the lifetime just returns the same access token (docs/servicenow.md, 'Authentication').
 */
export class ServiceNowTokenIssuer implements TokenIssuer {
  private refreshToken?: string;

  constructor(
    private readonly http: AxiosInstance,
    private readonly auth: Exclude<ServiceNowAuth, { kind: 'basic' }>,
    private readonly clock: Clock,
  ) {}

  async requestToken(): Promise<TokenGrant> {
    if (this.refreshToken) {
      try {
        return this.remember(await post('servicenow', this.http, '/oauth_token.do', this.form('refresh_token'), {}, this.clock));
      } catch (err) {
        // An expired or revoked refresh token is not a credentials failure: fall back to the primary grant.
        if (!(err instanceof TokenEndpointError && err.kind === 'permanent')) throw err;
        this.refreshToken = undefined;
      }
    }
    const grant = this.auth.kind === 'oauth-password' ? 'password' : 'client_credentials';
    return this.remember(await post('servicenow', this.http, '/oauth_token.do', this.form(grant), {}, this.clock));
  }

  private remember(grant: TokenGrant): TokenGrant {
    if (grant.refreshToken) this.refreshToken = grant.refreshToken;
    return grant;
  }

  private form(grant: 'password' | 'client_credentials' | 'refresh_token'): URLSearchParams {
    const form = new URLSearchParams({ grant_type: grant, client_id: this.auth.clientId, client_secret: this.auth.clientSecret });
    if (grant === 'password' && this.auth.kind === 'oauth-password') {
      form.set('username', this.auth.username);
      form.set('password', this.auth.password);
    }
    if (grant === 'refresh_token') form.set('refresh_token', this.refreshToken ?? '');
    return form;
  }
}
