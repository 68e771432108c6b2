import { randomUUID } from 'node:crypto';
import { TokenEndpointError } from '../credentials/token-types.js';
import { present, type IncidentMapping } from '../incidents/incident-mapping.js';
import { upstreamStatusOf } from '../upstream/genesys-notifications-client.js';
import { SERVICENOW_HEADROOM } from '../upstream/servicenow-pacer.js';
import { duration, fail, messageOf, NotChecked, pass, warn, type Check } from './check.js';
import { originOf } from './probe-parts.js';
import type { ServiceNowProbe } from './servicenow-probe.js';

const ITIL_FIX =
  'give the integration user (SERVICENOW_USERNAME, or the OAuth Application User) the itil role (User Administration > Users > Roles)';

/** servicenow-instance: the instance answers, without credentials (401 is the expected answer). */
export function servicenowInstanceCheck(probe: ServiceNowProbe): Check {
  const url = originOf(probe.config.servicenow.instanceUrl);
  return {
    name: 'servicenow-instance',
    timeoutFix: `check that this host reaches ${url} (DNS, proxy, firewall)`,
    run: async () => {
      const outcome = await probe.instance();
      if ('error' in outcome)
        return fail(
          `${url} cannot be reached: ${outcome.error}`,
          `check SERVICENOW_INSTANCE_URL and that this host reaches ${url} (DNS, proxy, firewall)`,
        );
      const { status } = outcome;
      if (status === 503)
        return fail(
          `${url} answered 503: the instance is unavailable (maintenance, or a hibernating developer instance)`,
          'wake the instance (developer instances hibernate) or wait for its maintenance to end, then run the doctor again',
        );
      if (status === 429)
        return warn(
          `${url} is rate limiting this host right now (429)`,
          "run the doctor again after the Retry-After; if it persists, check the instance's REST rate-limit rules (System Web Services > REST API Rate Limiting)",
        );
      if (!outcome.isServiceNow && status !== 200) {
        return warn(
          `${url} answered ${status} to GET /api/now/table/incident without the answer of a ServiceNow instance`,
          "set SERVICENOW_INSTANCE_URL to the instance's base URL, e.g. https://acme.service-now.com, without a path",
        );
      }
      return pass(
        `${url} answered in ${duration(outcome.tookMs)}${status === 401 ? ' (401 without credentials, as expected)' : ` (${status})`}`,
      );
    },
  };
}

/** servicenow-auth: the configured authentication works (a grant for OAuth, a first call for Basic). */
export function servicenowAuthCheck(probe: ServiceNowProbe): Check {
  const auth = probe.config.servicenow.auth;
  return {
    name: 'servicenow-auth',
    run: async (signal) => {
      await probe.requireInstance();
      if (auth.kind === 'basic') {
        try {
          await probe.incidentRead(signal);
        } catch (err) {
          if (err instanceof NotChecked) throw err;
          const status = upstreamStatusOf(err);
          if (status === 401) {
            return fail(
              `ServiceNow refused Basic auth as ${auth.username} (401 User Not Authenticated)`,
              'check SERVICENOW_USERNAME and SERVICENOW_PASSWORD (the user must be active, not locked out, its password not expired)',
            );
          }
          // 403 and the rest: the credentials were accepted, the read itself is judged next.
          if (status === undefined)
            return fail(`no answer to a call with Basic auth: ${messageOf(err)}`, 'check the network path to SERVICENOW_INSTANCE_URL');
        }
        return pass(`Basic auth as ${auth.username} accepted`);
      }
      const outcome = await probe.credentials();
      const grant = auth.kind === 'oauth-password' ? `password grant for ${auth.username}` : 'client_credentials grant';
      if ('grant' in outcome && outcome.grant)
        return pass(`${grant} with OAuth client ${auth.clientId}: a token valid for ${duration(outcome.grant.expiresInSec * 1000)}`);
      const error = 'error' in outcome ? outcome.error : undefined;
      const said = messageOf(error).replace(/^servicenow token endpoint/, 'the token endpoint');
      if (error instanceof TokenEndpointError && error.kind === 'permanent') {
        const fix =
          auth.kind === 'oauth-password'
            ? 'check SERVICENOW_CLIENT_ID and SERVICENOW_CLIENT_SECRET (System OAuth > Application Registry) and SERVICENOW_USERNAME and SERVICENOW_PASSWORD (the user active, not locked out)'
            : 'check SERVICENOW_CLIENT_ID and SERVICENOW_CLIENT_SECRET, and that the instance allows the client_credentials grant (glide.oauth.inbound.client.credential.grant_type.enabled, an OAuth Application User on the client)';
        return fail(`ServiceNow refused the ${grant}: ${said}`, fix);
      }
      return fail(`the ${grant} failed: ${said}`, "ServiceNow's token endpoint (/oauth_token.do) did not answer usefully: try again later");
    },
  };
}

/** servicenow-incident-read: a Table API read of `incident`, `sysparm_limit=1`. */
export function servicenowIncidentReadCheck(probe: ServiceNowProbe): Check {
  return {
    name: 'servicenow-incident-read',
    run: async (signal) => {
      let rows;
      try {
        rows = await probe.incidentRead(signal);
      } catch (err) {
        if (err instanceof NotChecked) throw err;
        const status = upstreamStatusOf(err);
        if (status === 401 && probe.config.servicenow.auth.kind === 'basic')
          throw new NotChecked('servicenow-auth', 'ServiceNow refused the credentials');
        if (status === 401)
          return fail(
            `ServiceNow refused the new OAuth token at GET incident (401)`,
            `check that ${probe.actor()} is active and not locked out, and that the OAuth client SERVICENOW_CLIENT_ID is active`,
          );
        if (status === 403) return fail(`ServiceNow does not let ${probe.actor()} read incidents (403)`, ITIL_FIX);
        return fail(
          `GET /api/now/table/incident: ${messageOf(err)}`,
          'the instance answered with an error: try again later, or ask its administrators',
        );
      }
      const latest = typeof rows[0]?.number === 'string' ? ` (newest ${rows[0].number})` : ' (no incident yet)';
      return pass(`GET /api/now/table/incident?sysparm_limit=1 allowed as ${probe.actor()}${latest}`);
    },
  };
}

/** servicenow-rate-limit: the rule the instance announces for this user, if any. */
export function servicenowRateLimitCheck(probe: ServiceNowProbe): Check {
  const own = probe.config.servicenow.rateLimitPerHour;
  return {
    name: 'servicenow-rate-limit',
    run: async (signal) => {
      await probe.incidentReadOrSkip(signal);
      const limit = probe.pacer.number('x-ratelimit-limit');
      const ownSaid = own === undefined ? '' : `; SERVICENOW_RATE_LIMIT_PER_HOUR keeps trunkgate to ${own}`;
      if (limit === undefined)
        return pass(`the instance announces no rate-limit rule for ${probe.actor()} (no X-RateLimit-Limit)${ownSaid}`);
      const rule = probe.pacer.text('x-ratelimit-rule');
      const reset = probe.pacer.number('x-ratelimit-reset');
      const paced = Math.max(1, Math.floor(limit * SERVICENOW_HEADROOM));
      const said = `rule ${rule ?? '(unnamed)'} allows ${limit} requests an hour (X-RateLimit-Limit)${reset ? `, window ends ${new Date(reset * 1000).toISOString()}` : ''}; trunkgate keeps to ${own === undefined ? paced : Math.min(own, paced)}${ownSaid}`;
      if (limit < 60)
        return warn(
          `${said}: under one request a minute, so deliveries and Data Actions will wait`,
          `raise the limit of that rule for the integration user (System Web Services > REST API Rate Limiting > Rate Limit Rules)`,
        );
      return pass(said);
    },
  };
}

/**
 * servicenow-write-test (--write-test only): one clearly labelled incident, opened with the mapping's own
 * fields and cancelled (state 8) at once.
 */
export function servicenowWriteTestCheck(probe: ServiceNowProbe, mapping: () => Promise<IncidentMapping>): Check {
  return {
    name: 'servicenow-write-test',
    run: async (signal) => {
      const api = await probe.api();
      const fields = await mapping().then(
        (m) => present(m.file.fields),
        () => ({}),
      );
      let created;
      try {
        created = await api.create(
          {
            ...fields,
            short_description: 'trunkgate doctor: write test, cancelled at once (not a real problem)',
            description:
              'Opened by `trunkgate doctor --write-test` to prove that trunkgate may create and update incidents. It was cancelled right away; nothing needs doing.',
            correlation_id: `trunkgate:doctor:${randomUUID()}`,
          },
          signal,
        );
      } catch (err) {
        if (upstreamStatusOf(err) === 403) return fail(`ServiceNow does not let ${probe.actor()} create incidents (403)`, ITIL_FIX);
        return fail(
          `creating the test incident failed: ${messageOf(err)}`,
          "check the instance's business rules and data policies on incident for the integration user, and the fields in MAPPINGS_DIR/incident.yaml",
        );
      }
      const number = created.number ?? created.sys_id ?? '(no number)';
      try {
        const cancelled = await api.update(
          String(created.sys_id),
          { state: '8', close_notes: 'trunkgate doctor write test: cancelled at once.' },
          signal,
        );
        if (cancelled.state !== undefined && String(cancelled.state) !== '8') {
          return warn(
            `opened ${number}, but after asking for state 8 (Canceled) it is in state ${String(cancelled.state)}`,
            `cancel ${number} by hand, and check the business rules that kept it open: trunkgate resolves incidents the same way (state 6)`,
          );
        }
      } catch (err) {
        return fail(
          `opened ${number} but could not cancel it: ${messageOf(err)}`,
          `cancel ${number} by hand, and ${ITIL_FIX}: trunkgate updates its incidents the same way`,
        );
      }
      return pass(`opened ${number} and cancelled it (state 8)`);
    },
  };
}
