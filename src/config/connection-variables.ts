import type { GenesysConfig, ServiceNowConfig } from './config.js';
import {
  GENESYS_RATE_LIMIT_DEFAULT,
  GENESYS_RATE_LIMIT_RANGE,
  SERVICENOW_RATE_LIMIT_RANGE,
  TOKEN_REFRESH_BUFFER_RANGE,
  scopeRefusal,
  serviceNowAuthOf,
  type ServiceNowCredentials,
} from './connection-rules.js';
import { parseConnectionsFile, type ConnectionDefaults } from './connections-file.js';
import { defaultConnections, type ConnectionsConfig } from './connections.js';
import type { EnvReader } from './env-reader.js';
import { isGenesysRegion, regionUrls, GENESYS_REGIONS } from './regions.js';

/** The variables that describe the one Genesys org and ServiceNow instance when there is no CONNECTIONS_FILE. */
export const CONNECTION_VARIABLES = [
  'GENESYS_REGION',
  'GENESYS_LOGIN_URL',
  'GENESYS_API_URL',
  'GENESYS_CLIENT_ID',
  'GENESYS_CLIENT_SECRET',
  'GENESYS_TOKEN_REFRESH_BUFFER_MS',
  'GENESYS_RATE_LIMIT_PER_MINUTE',
  'GENESYS_REQUIRED_SCOPES',
  'SERVICENOW_INSTANCE_URL',
  'SERVICENOW_CLIENT_ID',
  'SERVICENOW_CLIENT_SECRET',
  'SERVICENOW_USERNAME',
  'SERVICENOW_PASSWORD',
  'SERVICENOW_TOKEN_REFRESH_BUFFER_MS',
  'SERVICENOW_RATE_LIMIT_PER_HOUR',
] as const;

/** The connection variables set (non-empty) in `env`, `NAME_FILE` forms included, in list order. */
export function connectionVariablesSet(env: NodeJS.ProcessEnv): string[] {
  return CONNECTION_VARIABLES.flatMap((name) => [name, `${name}_FILE`]).filter((name) => (env[name] ?? '').trim() !== '');
}

const SERVICENOW_CREDENTIAL_VARIABLES: Record<keyof ServiceNowCredentials, string> = {
  clientId: 'SERVICENOW_CLIENT_ID',
  clientSecret: 'SERVICENOW_CLIENT_SECRET',
  username: 'SERVICENOW_USERNAME',
  password: 'SERVICENOW_PASSWORD',
};

/** GENESYS_REGION or GENESYS_LOGIN_URL / GENESYS_API_URL, the client and its limits. */
export function readGenesysVariables(r: EnvReader, defaultBuffer: number): GenesysConfig {
  const region = r.string('GENESYS_REGION');
  let fromRegion: { loginUrl: string; apiUrl: string } | undefined;
  if (region !== undefined) {
    if (isGenesysRegion(region)) fromRegion = regionUrls(region);
    else r.problems.push(`GENESYS_REGION "${region}" is not a Genesys Cloud region (one of: ${GENESYS_REGIONS.join(', ')})`);
  }
  const loginUrl = r.url('GENESYS_LOGIN_URL', r.string('GENESYS_LOGIN_URL')) ?? fromRegion?.loginUrl;
  const apiUrl = r.url('GENESYS_API_URL', r.string('GENESYS_API_URL')) ?? fromRegion?.apiUrl;
  if (region === undefined && (loginUrl === undefined || apiUrl === undefined)) {
    if (r.string('GENESYS_LOGIN_URL') === undefined || r.string('GENESYS_API_URL') === undefined) {
      r.problems.push('GENESYS_REGION is required (or both GENESYS_LOGIN_URL and GENESYS_API_URL)');
    }
  }
  const requiredScopes = r.list('GENESYS_REQUIRED_SCOPES');
  for (const scope of requiredScopes) {
    const refusal = scopeRefusal(scope);
    if (refusal) r.problems.push(`GENESYS_REQUIRED_SCOPES: ${refusal}`);
  }
  return {
    region,
    loginUrl: loginUrl ?? '',
    apiUrl: apiUrl ?? '',
    clientId: r.required('GENESYS_CLIENT_ID', r.string('GENESYS_CLIENT_ID')),
    clientSecret: r.required('GENESYS_CLIENT_SECRET', r.secret('GENESYS_CLIENT_SECRET')),
    tokenRefreshBufferMs: r.integer('GENESYS_TOKEN_REFRESH_BUFFER_MS', defaultBuffer, TOKEN_REFRESH_BUFFER_RANGE),
    requiredScopes,
    rateLimitPerMinute: r.integer('GENESYS_RATE_LIMIT_PER_MINUTE', GENESYS_RATE_LIMIT_DEFAULT, GENESYS_RATE_LIMIT_RANGE),
  };
}

/** SERVICENOW_INSTANCE_URL, the credentials (see serviceNowAuthOf) and the limits. */
export function readServiceNowVariables(r: EnvReader, defaultBuffer: number): ServiceNowConfig {
  const instanceUrl = r.url('SERVICENOW_INSTANCE_URL', r.string('SERVICENOW_INSTANCE_URL'));
  r.required('SERVICENOW_INSTANCE_URL', r.string('SERVICENOW_INSTANCE_URL'));
  const auth = serviceNowAuthOf(
    {
      clientId: r.string('SERVICENOW_CLIENT_ID'),
      clientSecret: r.secret('SERVICENOW_CLIENT_SECRET'),
      username: r.string('SERVICENOW_USERNAME'),
      password: r.secret('SERVICENOW_PASSWORD'),
    },
    {
      name: (field) => SERVICENOW_CREDENTIAL_VARIABLES[field],
      problem: (field, why) => `${SERVICENOW_CREDENTIAL_VARIABLES[field]} ${why}`,
      none: 'ServiceNow credentials are required: set SERVICENOW_USERNAME and SERVICENOW_PASSWORD, or SERVICENOW_CLIENT_ID and SERVICENOW_CLIENT_SECRET',
    },
    r.problems,
  );
  return {
    instanceUrl: instanceUrl ?? '',
    auth,
    tokenRefreshBufferMs: r.integer('SERVICENOW_TOKEN_REFRESH_BUFFER_MS', defaultBuffer, TOKEN_REFRESH_BUFFER_RANGE),
    rateLimitPerHour:
      r.string('SERVICENOW_RATE_LIMIT_PER_HOUR') === undefined
        ? undefined
        : r.integer('SERVICENOW_RATE_LIMIT_PER_HOUR', 0, SERVICENOW_RATE_LIMIT_RANGE),
  };
}

/**
 * The connections: CONNECTIONS_FILE's orgs, instances and routes, or the GENESYS_* / SERVICENOW_*
 * variables as one org and one instance named `default`. With the file, a connection variable is a
 * problem: which of the two would apply is a question the configuration should not leave open.
 * Problems go to `r.problems`; the result is meaningful only when there is none.
 */
export function readConnections(r: EnvReader, env: NodeJS.ProcessEnv, defaults: ConnectionDefaults): ConnectionsConfig {
  const path = r.string('CONNECTIONS_FILE');
  if (path === undefined) {
    return defaultConnections({
      genesys: readGenesysVariables(r, defaults.tokenRefreshBufferMs),
      servicenow: readServiceNowVariables(r, defaults.tokenRefreshBufferMs),
      monitor: defaults.monitor,
    });
  }
  for (const name of connectionVariablesSet(env))
    r.problems.push(`${name} is set, but CONNECTIONS_FILE describes the connections: move the setting into the file, or unset ${name}`);
  const file = r.file('CONNECTIONS_FILE');
  if (!file) return { fromFile: true, orgs: [], instances: [], routes: [] };
  // `${VAR}` reads VAR or the file VAR_FILE names, like every secret; each variable once.
  const values = new Map<string, string | undefined>();
  const lookup = (name: string) => {
    if (!values.has(name)) values.set(name, r.secret(name));
    return values.get(name);
  };
  const parsed = parseConnectionsFile(file.text, { env, lookup, defaults });
  for (const problem of parsed.problems) r.problems.push(`CONNECTIONS_FILE (${file.path}): ${problem}`);
  return parsed.connections;
}
