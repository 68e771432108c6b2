import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SimState } from './sim-state.js';
import { expiresInSeconds } from './token-issuer.js';
import type { TokenGrant } from './token-issuer.js';
import { failure, mediaType, readBody, sendJson } from './wire.js';

const TOKEN_HEADERS = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };

/**
 * What an instance answers for any refused grant: bad client, bad user, disabled grant type. Confirmed
 * as 401 with this body by several public reports (e.g. stojdev/oauth-client docs, Pipedream's
 * ServiceNow guide). Unconfirmed: that a JSON body and an unknown grant_type get the same answer; public
 * reports of parameters sent outside a form body describe access_denied, so the simulator does that.
 */
const ACCESS_DENIED = { error_description: 'access_denied', error: 'server_error' };

// A token request is small; anything bigger is not a form the instance would read.
const MAX_TOKEN_BODY_BYTES = 64 * 1024;

function deny(res: ServerResponse, state: SimState): void {
  state.stats.tokenFailures += 1;
  sendJson(res, 401, ACCESS_DENIED, TOKEN_HEADERS);
}

/** POST /oauth_token.do: the password, client_credentials and refresh_token grants, form-encoded only. */
export async function handleTokenRequest(req: IncomingMessage, res: ServerResponse, state: SimState): Promise<void> {
  state.stats.tokenRequests += 1;
  const fault = state.faults.tokenFault();
  if (fault?.mode === 'down') {
    state.stats.tokenFailures += 1;
    return sendJson(res, 503, failure('Service Unavailable', 'The token endpoint is unavailable (simulated)'), TOKEN_HEADERS);
  }
  let body: Buffer;
  try {
    body = await readBody(req, MAX_TOKEN_BODY_BYTES);
  } catch {
    return deny(res, state);
  }
  if (req.method !== 'POST' || mediaType(req) !== 'application/x-www-form-urlencoded' || fault?.mode === 'reject') {
    return deny(res, state);
  }
  const form = new URLSearchParams(body.toString('utf8'));
  const client = state.config.clients.get(form.get('client_id') ?? '');
  if (!client || client.clientSecret !== form.get('client_secret')) return deny(res, state);

  let grant: TokenGrant | undefined;
  switch (form.get('grant_type')) {
    case 'password': {
      const user = state.config.users.get(form.get('username') ?? '');
      if (user && user.password === form.get('password')) grant = state.tokens.grant(client.clientId, user.username, true);
      break;
    }
    case 'client_credentials': {
      // Off unless the OAuth entity names a user to act as (Washington DC and later).
      const user = client.clientCredentialsUser ? state.config.users.get(client.clientCredentialsUser) : undefined;
      if (user) grant = state.tokens.grant(client.clientId, user.username, false);
      break;
    }
    case 'refresh_token': {
      const previous = state.tokens.redeem(client.clientId, form.get('refresh_token') ?? '');
      if (previous && state.config.users.has(previous.username)) grant = state.tokens.grant(client.clientId, previous.username, true);
      break;
    }
  }
  if (!grant) return deny(res, state);
  if (grant.minted) state.stats.tokensIssued += 1;
  const { token } = grant;
  sendJson(
    res,
    200,
    {
      access_token: token.accessToken,
      ...(token.refreshToken ? { refresh_token: token.refreshToken } : {}),
      scope: token.scope,
      token_type: 'Bearer',
      expires_in: expiresInSeconds(token, state.config.clock()),
    },
    TOKEN_HEADERS,
  );
}
