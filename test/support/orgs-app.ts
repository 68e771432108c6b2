import fs from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { createApp, type AppOverrides, type TrunkgateApp } from '../../src/app/create-app.js';
import { loadConfig, type Config } from '../../src/config/config.js';
import { orgClient } from '../../src/sim/genesys/index.js';
import { DEMO_USER, type SimIncident } from '../../src/sim/servicenow/index.js';
import type { Simulators } from '../../src/sim/start-simulators.js';
import { apiClient } from './api-client.js';
import { memoryLogger, tempDataDir, TEST_API_KEY, TEST_USER } from './test-config.js';

/** One `genesys:` entry of a test connections file: the org's simulator client unless `clientSecret` says otherwise. */
export interface TestOrg {
  name: string;
  servicenow: string;
  clientSecret?: string;
  rateLimitPerMinute?: number;
  monitor?: { enabled?: boolean; pollIntervalMs?: number; notifications?: boolean };
}

/** One `routes:` entry, as the README writes them. */
export interface TestRoute {
  match: Record<string, string>;
  servicenow?: string;
  fields?: Record<string, string | number | boolean>;
}

const secretVar = (org: string) => `${org.toUpperCase().replace(/-/g, '_')}_CLIENT_SECRET`;

/**
 * Writes a CONNECTIONS_FILE for the simulators: each org logs in to the Genesys simulator with its own
 * client (its secret through `${VAR}`, as a deployment would), each ServiceNow instance of `sims` with
 * the demo user. Returns the file's path and the variables it reads.
 */
export function writeConnectionsFile(
  sims: Simulators,
  options: { orgs: TestOrg[]; routes?: TestRoute[]; instances?: { rateLimitPerHour?: number } },
) {
  const env: Record<string, string> = { SN_PASSWORD: DEMO_USER.password };
  const file = {
    genesys: options.orgs.map((o) => {
      env[secretVar(o.name)] = o.clientSecret ?? orgClient(o.name).clientSecret;
      return {
        name: o.name,
        loginUrl: sims.genesys.url,
        apiUrl: sims.genesys.url,
        clientId: orgClient(o.name).clientId,
        clientSecret: `\${${secretVar(o.name)}}`,
        ...(o.rateLimitPerMinute === undefined ? {} : { rateLimitPerMinute: o.rateLimitPerMinute }),
        ...(o.monitor === undefined ? {} : { monitor: o.monitor }),
        servicenow: o.servicenow,
      };
    }),
    servicenow: sims.instances.map((name) => ({
      name,
      instanceUrl: sims.servicenowInstances.get(name)!.url,
      username: DEMO_USER.username,
      password: '${SN_PASSWORD}',
      ...options.instances,
    })),
    ...(options.routes ? { routes: options.routes } : {}),
  };
  const filePath = path.join(tempDataDir(), 'connections.yaml');
  fs.writeFileSync(filePath, stringify(file));
  return { path: filePath, env };
}

/** The configuration of a trunkgate with that connections file (no GENESYS_* / SERVICENOW_* variables). */
export function orgsConfig(connections: { path: string; env: Record<string, string> }, extra: Record<string, string> = {}): Config {
  return loadConfig(
    {
      CONNECTIONS_FILE: connections.path,
      ...connections.env,
      GATEWAY_BASIC_AUTH: `${TEST_USER.user}:${TEST_USER.password}`,
      GATEWAY_API_KEYS: TEST_API_KEY,
      DATA_DIR: tempDataDir(),
      ...extra,
    },
    { requireCallerAuth: true },
  );
}

/** Starts createApp on that configuration, listening on a free port. */
export async function startOrgsApp(config: Config, overrides: AppOverrides = {}) {
  const log = memoryLogger('warn');
  const app: TrunkgateApp = await createApp(config, { logger: log.logger, processMetrics: false, ...overrides });
  const url = await app.listen(0, '127.0.0.1');
  return { app, url, api: apiClient(url), log };
}

/** The incidents of every ServiceNow instance with that correlation id, each with its instance's name. */
export function incidentsWith(sims: Simulators, correlationId: string): Array<SimIncident & { instance: string }> {
  return [...sims.servicenowInstances].flatMap(([instance, sn]) =>
    sn
      .incidents()
      .filter((i) => i.fields.correlation_id === correlationId)
      .map((i) => ({ ...i, instance })),
  );
}
