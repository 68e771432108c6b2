// trunkgate as `npm start` builds it (createApp, SQLite in a temporary DATA_DIR), with a connections
// file naming several Genesys orgs and ServiceNow instances of the simulators, for `npm run bench -- orgs`.
import fs from 'node:fs';
import path from 'node:path';
import { createApp, type TrunkgateApp } from '../../src/app/create-app.js';
import { loadConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/log/logger.js';
import { orgClient } from '../../src/sim/genesys/index.js';
import { DEMO_USER } from '../../src/sim/servicenow/index.js';

export const BENCH_API_KEY = 'bench-api-key-0123456789abcdef';

export interface OrgsLayout {
  orgs: string[];
  instances: string[];
  /** Org → the instance its incidents must reach (its own, or the route's). */
  expectedInstance: Record<string, string>;
  yaml: string;
}

/**
 * Orgs take the instances in turn (`servicenow:` of each org); with several orgs and instances the
 * last org (of three or more) is sent elsewhere by a route on its name, so routing by the org's own instance and by a
 * route are both exercised.
 */
export function orgsLayout(options: {
  orgs: string[];
  instances: string[];
  genesysUrl: string;
  servicenowUrls: Record<string, string>;
  rateLimitPerMinute: number;
}): OrgsLayout {
  const { orgs, instances } = options;
  const own = (i: number) => instances[i % instances.length]!;
  const expectedInstance: Record<string, string> = Object.fromEntries(orgs.map((o, i) => [o, own(i)]));
  const last = orgs.length - 1;
  const routed = orgs.length > 2 && instances.length > 1 ? instances.find((n) => n !== own(last))! : undefined;
  if (routed) expectedInstance[orgs[last]!] = routed;
  const lines = ['genesys:'];
  orgs.forEach((org, i) => {
    const client = orgClient(org);
    lines.push(
      `  - name: ${org}`,
      `    loginUrl: ${options.genesysUrl}`,
      `    apiUrl: ${options.genesysUrl}`,
      `    clientId: ${client.clientId}`,
      `    clientSecret: ${client.clientSecret}`,
      `    rateLimitPerMinute: ${options.rateLimitPerMinute}`,
      `    monitor: { enabled: true, notifications: true }`,
      `    servicenow: ${own(i)}`,
    );
  });
  lines.push('servicenow:');
  for (const name of instances) {
    lines.push(
      `  - name: ${name}`,
      `    instanceUrl: ${options.servicenowUrls[name]}`,
      `    username: ${DEMO_USER.username}`,
      `    password: ${DEMO_USER.password}`,
    );
  }
  if (routed) lines.push('routes:', `  - match: { org: ${orgs[last]} }`, `    servicenow: ${routed}`);
  return { orgs, instances, expectedInstance, yaml: `${lines.join('\n')}\n` };
}

/** Writes the connections file into `dataDir` and builds trunkgate on it (not yet listening). */
export async function createOrgsApp(dataDir: string, layout: OrgsLayout): Promise<TrunkgateApp> {
  const file = path.join(dataDir, 'connections.yaml');
  fs.writeFileSync(file, layout.yaml);
  const config = loadConfig({
    CONNECTIONS_FILE: file,
    DATA_DIR: dataDir,
    LOG_LEVEL: process.env.BENCH_LOG ?? 'error',
    GATEWAY_API_KEYS: BENCH_API_KEY,
    MONITOR_NOTIFICATIONS: 'true',
    // trunkgate's default poll interval (30 s) unless BENCH_POLL_INTERVAL_MS says otherwise.
    MONITOR_POLL_INTERVAL_MS: process.env.BENCH_POLL_INTERVAL_MS,
    // Each failing trunk is its own subject (INCIDENT_GROUP_BY=trunk), opened at once and kept open
    // for the whole run, so "incidents opened = subjects that failed" is exact and nothing resolves.
    INCIDENT_GROUP_BY: 'trunk',
    INCIDENT_OPEN_AFTER_MS: '0',
    INCIDENT_RESOLVE_AFTER_MS: '3600000',
    INCIDENT_NOTE_INTERVAL_MS: '3600000',
    SHUTDOWN_GRACE_MS: '2000',
  });
  return createApp(config, { logger: createLogger({ level: process.env.BENCH_LOG ?? 'error' }), processMetrics: false });
}
