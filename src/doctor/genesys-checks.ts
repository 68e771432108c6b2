import type { Config } from '../config/config.js';
import { clockSkewMs } from '../credentials/token-timing.js';
import { TokenEndpointError } from '../credentials/token-types.js';
import { scopesMissing } from '../credentials/token-verification.js';
import { upstreamStatusOf } from '../upstream/genesys-notifications-client.js';
import { GENESYS_HEADROOM } from '../upstream/genesys-pacer.js';
import { duration, fail, messageOf, NotChecked, pass, warn, type Check, type CheckOutcome } from './check.js';
import type { GenesysProbe } from './genesys-probe.js';
import { originOf } from './probe-parts.js';

/** A clock this far off is worth a warning: event and incident times read it. */
export const SKEW_WARN_MS = 5_000;
/** Caller JWTs are checked with 30 s of tolerance (src/http/caller-auth.ts): beyond it, valid callers are refused. */
export const SKEW_FAIL_MS = 30_000;

const OAUTH_ADMIN = 'Genesys Cloud Admin > Integrations > OAuth';

/** The grant's answer, when it got one: its status (the login host is then reachable). */
function grantStatus(error: unknown): number | undefined {
  return error instanceof TokenEndpointError ? error.info.status : undefined;
}

/** "the login service answered 400 invalid_client (authentication failed)". */
function loginSaid(error: TokenEndpointError): string {
  return messageOf(error).replace(/^genesys token endpoint/, 'the login service');
}

/** genesys-login: the login host answers at all (any HTTP answer to the grant counts). */
export function genesysLoginCheck(probe: GenesysProbe): Check {
  const login = originOf(probe.config.genesys.loginUrl);
  return {
    name: 'genesys-login',
    timeoutFix: `check that this host reaches ${login} (DNS, proxy, firewall)`,
    run: async () => {
      const outcome = await probe.grant();
      if ('grant' in outcome || grantStatus(outcome.error) !== undefined) return pass(`${login} answered in ${duration(outcome.tookMs)}`);
      return fail(
        `${login} cannot be reached: ${messageOf(outcome.error).replace(/^genesys token endpoint unreachable: /, '')}`,
        `check GENESYS_REGION (or GENESYS_LOGIN_URL) and that this host reaches ${login} (DNS, proxy, firewall)`,
      );
    },
  };
}

/** genesys-token: the client-credentials grant; `invalid_client` is named as such. */
export function genesysTokenCheck(probe: GenesysProbe): Check {
  const { clientId } = probe.config.genesys;
  return {
    name: 'genesys-token',
    run: async () => {
      const outcome = await probe.grant();
      if ('grant' in outcome)
        return pass(
          `client-credentials grant for OAuth client ${clientId}: a token valid for ${duration(outcome.grant.expiresInSec * 1000)}`,
        );
      const { error } = outcome;
      if (!(error instanceof TokenEndpointError) || error.info.status === undefined)
        throw new NotChecked('genesys-login', 'the login host cannot be reached');
      const { status, oauthError } = error.info;
      if (oauthError === 'invalid_client') {
        return fail(
          `Genesys refused the client credentials: ${loginSaid(error)}`,
          `GENESYS_CLIENT_ID or GENESYS_CLIENT_SECRET does not match a client of ${originOf(probe.config.genesys.loginUrl)}: copy both from ${OAUTH_ADMIN} (a Client Credentials client of the org to watch, in that region)`,
        );
      }
      if (oauthError === 'unauthorized_client' || oauthError === 'unsupported_grant_type') {
        return fail(
          `Genesys refused the grant: ${loginSaid(error)}`,
          `give the OAuth client GENESYS_CLIENT_ID the grant type "Client Credentials" (${OAUTH_ADMIN})`,
        );
      }
      if (status === 429)
        return fail(
          `the login service is rate limiting this client (429)`,
          'wait a minute; if it persists, look for another process asking for tokens in a loop with GENESYS_CLIENT_ID',
        );
      if (status !== undefined && status >= 500)
        return fail(
          `the login service is failing: ${loginSaid(error)}`,
          'Genesys Cloud login is unavailable: try again later (https://status.mypurecloud.com)',
        );
      if (status !== undefined && status < 300)
        return fail(
          `the grant gave no usable token: ${loginSaid(error)}`,
          'check that GENESYS_LOGIN_URL (or GENESYS_REGION) is the Genesys Cloud login service of your region',
        );
      return fail(`Genesys refused the grant: ${loginSaid(error)}`, `check GENESYS_CLIENT_ID and GENESYS_CLIENT_SECRET (${OAUTH_ADMIN})`);
    },
  };
}

/** genesys-token-info: GET /api/v2/tokens/me — organisation, OAuth client, scopes, GENESYS_REQUIRED_SCOPES. */
export function genesysTokenInfoCheck(probe: GenesysProbe): Check {
  const { requiredScopes, apiUrl } = probe.config.genesys;
  return {
    name: 'genesys-token-info',
    timeoutFix: `check that this host reaches ${originOf(apiUrl)} (DNS, proxy, firewall)`,
    run: async (signal) => {
      let found;
      try {
        found = await probe.tokenInfo(signal);
      } catch (err) {
        if (err instanceof NotChecked) throw err;
        const status = upstreamStatusOf(err);
        if (status === 401) {
          return fail(
            `${originOf(apiUrl)} refused the new token (GET /api/v2/tokens/me answered 401 for 5 s)`,
            "set GENESYS_API_URL (or GENESYS_REGION) to the region of the OAuth client's org: a token from one region is refused by the others",
          );
        }
        if (status === undefined)
          return fail(
            `GET /api/v2/tokens/me: ${messageOf(err)}`,
            `check GENESYS_REGION (or GENESYS_API_URL) and that this host reaches ${originOf(apiUrl)}`,
          );
        return fail(
          `GET /api/v2/tokens/me: ${messageOf(err)}`,
          'Genesys Cloud answered with an error: try again later (https://status.mypurecloud.com)',
        );
      }
      const { info, waitedMs } = found;
      const scopes = Array.isArray(info.authorizedScope) ? info.authorizedScope.filter((s): s is string => typeof s === 'string') : [];
      const org = info.organization?.name
        ? `organisation "${info.organization.name}"${info.organization.id ? ` (${info.organization.id})` : ''}`
        : 'organisation not named';
      const client = info.OAuthClient?.name ? `OAuth client "${info.OAuthClient.name}"` : 'OAuth client not named';
      const said = `${org}, ${client}, scopes ${scopes.length > 0 ? scopes.join(', ') : '(none listed)'}${waitedMs > 1_000 ? `; the new token was accepted after ${duration(waitedMs)}` : ''}`;
      const missing = scopesMissing(scopes, requiredScopes);
      if (requiredScopes.length === 0) return pass(`${said}; GENESYS_REQUIRED_SCOPES not set`);
      // Same rule as the broker: an empty authorizedScope is not judged (what Genesys lists there for a
      // client-credentials token is unconfirmed), src/credentials/token-verification.ts.
      if (missing === undefined) return pass(`${said}; GENESYS_REQUIRED_SCOPES not judged: Genesys lists no scopes for this token`);
      if (missing.length === 0) return pass(`${said}; GENESYS_REQUIRED_SCOPES satisfied`);
      return fail(
        `${said}; the token lacks ${missing.join(', ')} (GENESYS_REQUIRED_SCOPES)`,
        `add the scope${missing.length > 1 ? 's' : ''} ${missing.join(', ')} to the OAuth client GENESYS_CLIENT_ID (${OAUTH_ADMIN} > Scope), or remove ${missing.length > 1 ? 'them' : 'it'} from GENESYS_REQUIRED_SCOPES`,
      );
    },
  };
}

/** What a clock skew means for trunkgate; pure, for tests. */
export function judgeSkew(skewMs: number | undefined, jwtCallers: boolean): CheckOutcome {
  if (skewMs === undefined) return pass('the login host sent no Date header: clock skew not measured');
  const abs = Math.abs(skewMs);
  const said =
    abs === 0
      ? "this host's clock agrees with Genesys' (within the Date header's second)"
      : `this host's clock is ${duration(abs)} ${skewMs > 0 ? 'behind' : 'ahead of'} Genesys'`;
  const fix =
    "synchronise this host's clock (NTP: chrony or systemd-timesyncd); token expiry does not depend on it, event and incident times do";
  if (abs >= SKEW_FAIL_MS && jwtCallers) return fail(`${said}: more than the 30 s allowed for caller JWTs (GATEWAY_JWKS_URL)`, fix);
  if (abs >= SKEW_WARN_MS) return warn(said, fix);
  return pass(said);
}

/** genesys-clock: skew from the token answer's Date header. */
export function genesysClockCheck(probe: GenesysProbe): Check {
  return {
    name: 'genesys-clock',
    run: async () => judgeSkew(clockSkewMs(await probe.token()), probe.config.gatewayAuth.jwt !== undefined),
  };
}

/** What the rate limit leaves for everything but polling; pure, for tests. */
export function judgeRateLimit(
  allowed: number | undefined,
  used: number | undefined,
  pollCallsPerMinute: number,
  config: Pick<Config, 'genesys' | 'monitor'>,
): CheckOutcome {
  const polling = `polling (every ${duration(config.monitor.pollIntervalMs)}) takes ${round(pollCallsPerMinute)} a minute`;
  if (allowed === undefined) {
    return pass(
      `Genesys sent no inin-ratelimit-allowed header: trunkgate paces to 90 % of GENESYS_RATE_LIMIT_PER_MINUTE (${config.genesys.rateLimitPerMinute}); ${polling}`,
    );
  }
  const budget = Math.max(2, Math.floor(allowed * GENESYS_HEADROOM));
  const share = pollCallsPerMinute / budget;
  const said = `${allowed} requests a minute per token (inin-ratelimit-allowed${used === undefined ? '' : `, ${used} used by the doctor`}), trunkgate paces to ${budget}; ${polling} (${Math.round(share * 100)} %)`;
  if (share > 0.5) {
    return warn(
      `${said}: little is left for Data Actions`,
      `raise MONITOR_POLL_INTERVAL_MS (now ${config.monitor.pollIntervalMs}; with MONITOR_NOTIFICATIONS on, polls only catch what events missed), or ask Genesys to raise the token rate limit`,
    );
  }
  return pass(said);
}

/** genesys-rate-limit: `inin-ratelimit-allowed` headroom against what polling will take. */
export function genesysRateLimitCheck(probe: GenesysProbe): Check {
  return {
    name: 'genesys-rate-limit',
    run: async (signal) => {
      await probe.token();
      const pages = await probe.trunks(signal).then(
        (l) => l.pages,
        () => 1,
      );
      return judgeRateLimit(
        probe.pacer.number('inin-ratelimit-allowed'),
        probe.pacer.number('inin-ratelimit-count'),
        (pages * 60_000) / probe.config.monitor.pollIntervalMs,
        probe.config,
      );
    },
  };
}

function round(n: number): string {
  return n >= 10 || Number.isInteger(n) ? String(Math.round(n)) : n.toFixed(1);
}
