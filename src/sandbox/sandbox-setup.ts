import fs from 'node:fs';
import path from 'node:path';
import { createApp, type TrunkgateApp } from '../app/create-app.js';
import { loadConfig } from '../config/config.js';
import { DEFAULT_CONNECTION } from '../config/connections.js';
import type { Logger } from '../log/logger.js';
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, defaultTrunkIds, orgClient, orgTrunkIds, type DefaultTrunkKey } from '../sim/genesys/index.js';
import { DEMO_OAUTH_CLIENT, DEMO_USER, type ServiceNowSim } from '../sim/servicenow/index.js';
import { startSimulators, type Simulators } from '../sim/start-simulators.js';
import { SANDBOX_TOKEN_LIFETIME_SEC } from './foundation-story.js';
import { SANDBOX_INCIDENT_ENV } from './watchdog-story.js';

export const DEMO_CALLER = { user: 'demo', password: 'demo-password' };
export const DEMO_API_KEY = 'sandbox-api-key-0123456789';

/** SANDBOX_ORGS=2: two Genesys orgs, each sending its incidents to its own ServiceNow instance. */
const TWO_ORGS = [
  { name: 'acme', instance: 'sn-acme' },
  { name: 'globex', instance: 'sn-globex' },
] as const;

/** One Genesys org of the sandbox as trunkgate and the story see it. */
export interface SandboxOrg {
  /** Its name in trunkgate (`default` without a connections file): URLs, `?org=`, correlation ids. */
  name: string;
  /** Its name in the Genesys simulator (`sims.genesys.control.org(simOrg)`). */
  simOrg: string;
  /** Its default trunks' ids (the same keys as `defaultTrunkIds`). */
  trunkIds: Record<DefaultTrunkKey, string>;
  /** The ServiceNow instance its incidents go to, and that instance's simulator. */
  instance: string;
  servicenow: ServiceNowSim;
}

export interface Sandbox {
  app: TrunkgateApp;
  sims: Simulators;
  orgs: SandboxOrg[];
  /** The connections file written into DATA_DIR (SANDBOX_ORGS=2), or null (one org from GENESYS_* / SERVICENOW_*). */
  connectionsFile: string | null;
}

/** SANDBOX_ORGS: unset, empty or 1 → one org (as always); 2 → two orgs and two instances. */
export function sandboxOrgCount(env: NodeJS.ProcessEnv): 1 | 2 {
  const raw = env.SANDBOX_ORGS?.trim() ?? '';
  if (raw === '' || raw === '1') return 1;
  if (raw === '2') return 2;
  throw new Error(`SANDBOX_ORGS must be 1 or 2 (got "${raw}")`);
}

/** The connections file of the two-org sandbox: each org with its OAuth client and its own instance. */
function connectionsYaml(sims: Simulators): string {
  const lines = [
    '# Written by `npm run sandbox` (SANDBOX_ORGS=2) at every start: the simulators listen on new ports each time.',
    'genesys:',
  ];
  for (const { name, instance } of TWO_ORGS) {
    const client = orgClient(name);
    lines.push(
      `  - name: ${name}`,
      `    loginUrl: ${sims.genesys.url}`,
      `    apiUrl: ${sims.genesys.url}`,
      `    clientId: ${client.clientId}`,
      `    clientSecret: ${client.clientSecret}`,
      `    servicenow: ${instance}`,
    );
  }
  lines.push('servicenow:');
  for (const { instance } of TWO_ORGS) {
    lines.push(
      `  - name: ${instance}`,
      `    instanceUrl: ${sims.servicenowInstances.get(instance)!.url}`,
      `    clientId: ${DEMO_OAUTH_CLIENT.clientId}`,
      `    clientSecret: ${DEMO_OAUTH_CLIENT.clientSecret}`,
      `    username: ${DEMO_USER.username}`,
      `    password: ${DEMO_USER.password}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Starts the simulators and builds trunkgate on them (not yet listening). Only where to listen and log
 * (and MAPPINGS_DIR) come from `env`: the upstreams are always the simulators. With two orgs the
 * connections file is written into DATA_DIR (default `./data/sandbox-orgs`, apart from the one-org
 * sandbox's store) and CONNECTIONS_FILE names it.
 */
export async function startSandbox(options: {
  orgs: 1 | 2;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  alertWebhookUrl?: string;
}): Promise<Sandbox> {
  const { env } = options;
  const two = options.orgs === 2;
  const sims = await startSimulators({
    genesys: { tokenLifetimeSec: SANDBOX_TOKEN_LIFETIME_SEC },
    servicenow: {},
    ...(two ? { orgs: TWO_ORGS.map((o) => o.name), instances: TWO_ORGS.map((o) => o.instance) } : {}),
  });
  try {
    const dataDir = env.DATA_DIR ?? (two ? './data/sandbox-orgs' : './data/sandbox');
    let connectionsFile: string | null = null;
    let connections: Record<string, string>;
    if (two) {
      fs.mkdirSync(dataDir, { recursive: true });
      connectionsFile = path.join(dataDir, 'connections.yaml');
      fs.writeFileSync(connectionsFile, connectionsYaml(sims));
      connections = { CONNECTIONS_FILE: connectionsFile };
    } else {
      connections = {
        GENESYS_LOGIN_URL: sims.genesys.url,
        GENESYS_API_URL: sims.genesys.url,
        GENESYS_CLIENT_ID: DEMO_CLIENT_ID,
        GENESYS_CLIENT_SECRET: DEMO_CLIENT_SECRET,
        SERVICENOW_INSTANCE_URL: sims.servicenow.url,
        SERVICENOW_CLIENT_ID: DEMO_OAUTH_CLIENT.clientId,
        SERVICENOW_CLIENT_SECRET: DEMO_OAUTH_CLIENT.clientSecret,
        SERVICENOW_USERNAME: DEMO_USER.username,
        SERVICENOW_PASSWORD: DEMO_USER.password,
      };
    }
    const config = loadConfig(
      {
        PORT: env.PORT ?? '8080',
        HOST: env.HOST ?? '127.0.0.1',
        LOG_LEVEL: env.LOG_LEVEL,
        DATA_DIR: dataDir,
        MAPPINGS_DIR: env.MAPPINGS_DIR,
        ...connections,
        GATEWAY_BASIC_AUTH: `${DEMO_CALLER.user}:${DEMO_CALLER.password}`,
        GATEWAY_API_KEYS: DEMO_API_KEY,
        SHUTDOWN_GRACE_MS: '3000',
        ALERT_WEBHOOK_URL: options.alertWebhookUrl,
        ...SANDBOX_INCIDENT_ENV,
      },
      { requireCallerAuth: true },
    );
    const orgs: SandboxOrg[] = two
      ? TWO_ORGS.map(({ name, instance }) => ({
          name,
          simOrg: name,
          trunkIds: orgTrunkIds(name),
          instance,
          servicenow: sims.servicenowInstances.get(instance)!,
        }))
      : [
          {
            name: DEFAULT_CONNECTION,
            simOrg: sims.orgs[0]!,
            trunkIds: defaultTrunkIds,
            instance: DEFAULT_CONNECTION,
            servicenow: sims.servicenow,
          },
        ];
    const app = await createApp(config, { logger: options.logger });
    return { app, sims, orgs, connectionsFile };
  } catch (err) {
    await sims.close();
    throw err;
  }
}
