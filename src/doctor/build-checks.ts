import type { Config } from '../config/config.js';
import type { Logger } from '../log/logger.js';
import type { Check } from './check.js';
import { connectionsCheck } from './connections-check.js';
import { genesysClockCheck, genesysLoginCheck, genesysRateLimitCheck, genesysTokenCheck, genesysTokenInfoCheck } from './genesys-checks.js';
import { GenesysProbe } from './genesys-probe.js';
import { actionMappingsCheck, incidentMappingCheck, incidentMappingLoader } from './mapping-checks.js';
import { redisCheck } from './redis-check.js';
import { referenceFieldsCheck } from './reference-fields.js';
import {
  servicenowAuthCheck,
  servicenowIncidentReadCheck,
  servicenowInstanceCheck,
  servicenowRateLimitCheck,
  servicenowWriteTestCheck,
} from './servicenow-checks.js';
import { ServiceNowProbe } from './servicenow-probe.js';
import { storeCheck } from './store-check.js';
import { genesysNotificationsCheck, genesysTrunksCheck, watchdogTrunksCheck } from './trunk-checks.js';
import { alertWebhookCheck, alertWebhookTestCheck } from './webhook-check.js';

/** What the flags ask for beyond the read-only checks. */
export interface DoctorFlags {
  /** Open one test incident and cancel it at once. */
  writeTest: boolean;
  /** Post one test message to ALERT_WEBHOOK_URL. */
  webhookTest: boolean;
}

/** Every check for a valid configuration, in lanes (see runChecks), and what to release afterwards. */
export interface DoctorPlan {
  lanes: Check[][];
  /** Every secret the report must not show: the configuration's and the tokens obtained meanwhile. */
  secrets(): Array<string | undefined>;
  close(): void;
}

export function buildChecks(config: Config, env: NodeJS.ProcessEnv, flags: DoctorFlags, logger: Logger): DoctorPlan {
  const genesys = new GenesysProbe(config, logger);
  const servicenow = new ServiceNowProbe(config, logger);
  const loadMapping = incidentMappingLoader(config, env);
  const lanes: Check[][] = [
    ...(config.connections.fromFile ? [[connectionsCheck(config)]] : []),
    [actionMappingsCheck(config), incidentMappingCheck(loadMapping)],
    [storeCheck(config)],
    [redisCheck(config, logger)],
    [
      genesysLoginCheck(genesys),
      genesysTokenCheck(genesys),
      genesysTokenInfoCheck(genesys),
      genesysClockCheck(genesys),
      genesysTrunksCheck(genesys),
      watchdogTrunksCheck(genesys),
      genesysNotificationsCheck(genesys),
      genesysRateLimitCheck(genesys),
    ],
    [
      servicenowInstanceCheck(servicenow),
      servicenowAuthCheck(servicenow),
      servicenowIncidentReadCheck(servicenow),
      servicenowRateLimitCheck(servicenow),
      referenceFieldsCheck(servicenow, loadMapping),
      ...(flags.writeTest ? [servicenowWriteTestCheck(servicenow, () => loadMapping().then((m) => m.mapping))] : []),
    ],
    [alertWebhookCheck(config), ...(flags.webhookTest ? [alertWebhookTestCheck(config)] : [])],
  ];
  return {
    lanes,
    secrets: () => [...configSecrets(config, env), ...grantedTokens(genesys, servicenow)],
    close: () => {
      genesys.close();
      servicenow.close();
    },
  };
}

/** Secrets of the configuration, as read and as written in the environment (a key's text, a URL). */
export function configSecrets(config: Config, env: NodeJS.ProcessEnv): Array<string | undefined> {
  const sn = config.servicenow.auth;
  return [
    config.genesys.clientSecret,
    'password' in sn ? sn.password : undefined,
    'clientSecret' in sn ? sn.clientSecret : undefined,
    // Every org's and instance's: with CONNECTIONS_FILE there are more than the first org's.
    ...config.connections.orgs.map((org) => org.clientSecret),
    ...config.connections.instances.flatMap(({ auth }) => [
      'password' in auth ? auth.password : undefined,
      'clientSecret' in auth ? auth.clientSecret : undefined,
    ]),
    config.databaseUrl,
    config.redisUrl,
    config.alertWebhookUrl,
    env.TOKEN_CACHE_KEY?.trim(),
    ...passwordsOf(config.databaseUrl, config.redisUrl),
    ...config.gatewayAuth.basic.map((b) => b.password),
    ...config.gatewayAuth.apiKeys,
    // Callers from CALLERS_FILE as well as from the environment variables.
    ...config.gatewayAuth.callers.map((c) => (c.credential.kind === 'api-key' ? c.credential.key : c.credential.password)),
  ];
}

function passwordsOf(...urls: Array<string | undefined>): string[] {
  return urls.flatMap((url) => {
    if (!url) return [];
    try {
      const password = decodeURIComponent(new URL(url).password);
      return password ? [password] : [];
    } catch {
      return [];
    }
  });
}

function* grantedTokens(genesys: GenesysProbe, servicenow: ServiceNowProbe): Generator<string | undefined> {
  // Both grants are settled by the time the report is printed (every check has ended or been cut off).
  for (const outcome of [genesys.settledGrant(), servicenow.settledGrant()]) {
    if (outcome) {
      yield outcome.accessToken;
      yield outcome.refreshToken;
    }
  }
}
