// `npm run sandbox`: trunkgate wired to the built-in simulators, playing a scripted story.
import { createApp } from '../app/create-app.js';
import { loadConfig } from '../config/config.js';
import { closeOnSignals } from '../app/lifecycle.js';
import { createLogger } from '../log/logger.js';
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET } from '../sim/genesys/index.js';
import { DEMO_OAUTH_CLIENT, DEMO_USER } from '../sim/servicenow/index.js';
import { startSimulators } from '../sim/start-simulators.js';
import { actionSteps } from './actions-story.js';
import { brokeredTraffic, foundationSteps, SANDBOX_TOKEN_LIFETIME_SEC } from './foundation-story.js';
import { playStory } from './story.js';
import { SANDBOX_INCIDENT_ENV, startHelpdeskWebhook, watchdogSteps } from './watchdog-story.js';

const DEMO_CALLER = { user: 'demo', password: 'demo-password' };
const DEMO_API_KEY = 'sandbox-api-key-0123456789';

const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'info', pretty: process.env.LOG_FORMAT !== 'json' });
const sims = await startSimulators({ genesys: { tokenLifetimeSec: SANDBOX_TOKEN_LIFETIME_SEC }, servicenow: {} });
const helpdesk = await startHelpdeskWebhook((text) =>
  logger.child({ module: 'sandbox/helpdesk-webhook' }).info(`helpdesk alert received: ${text}`),
);

// Only where to listen and log may come from the environment: upstreams are always the simulators.
const config = loadConfig(
  {
    PORT: process.env.PORT ?? '8080',
    HOST: process.env.HOST ?? '127.0.0.1',
    LOG_LEVEL: process.env.LOG_LEVEL,
    DATA_DIR: process.env.DATA_DIR ?? './data/sandbox',
    MAPPINGS_DIR: process.env.MAPPINGS_DIR,
    GENESYS_LOGIN_URL: sims.genesys.url,
    GENESYS_API_URL: sims.genesys.url,
    GENESYS_CLIENT_ID: DEMO_CLIENT_ID,
    GENESYS_CLIENT_SECRET: DEMO_CLIENT_SECRET,
    SERVICENOW_INSTANCE_URL: sims.servicenow.url,
    SERVICENOW_CLIENT_ID: DEMO_OAUTH_CLIENT.clientId,
    SERVICENOW_CLIENT_SECRET: DEMO_OAUTH_CLIENT.clientSecret,
    SERVICENOW_USERNAME: DEMO_USER.username,
    SERVICENOW_PASSWORD: DEMO_USER.password,
    GATEWAY_BASIC_AUTH: `${DEMO_CALLER.user}:${DEMO_CALLER.password}`,
    GATEWAY_API_KEYS: DEMO_API_KEY,
    SHUTDOWN_GRACE_MS: '3000',
    ALERT_WEBHOOK_URL: helpdesk.url,
    ...SANDBOX_INCIDENT_ENV,
  },
  { requireCallerAuth: true },
);

const app = await createApp(config, { logger });
const baseUrl = await app.listen();
const story = new AbortController();
closeOnSignals(
  {
    close: async () => {
      story.abort();
      await app.close();
      await sims.close();
      await helpdesk.close();
    },
  },
  (message, meta) => logger.info(message, meta),
);

process.stdout.write(
  [
    '',
    `  trunkgate sandbox on ${baseUrl}   (Ctrl-C to stop)`,
    `    console:    open ${baseUrl}/ in a browser and log in as ${DEMO_CALLER.user} / ${DEMO_CALLER.password}: the story plays on the board`,
    `    callers:    Basic ${DEMO_CALLER.user} / ${DEMO_CALLER.password}   or   X-API-Key: ${DEMO_API_KEY}`,
    `    try:        curl -s -u ${DEMO_CALLER.user}:${DEMO_CALLER.password} ${baseUrl}/v1/credentials`,
    `    Genesys Cloud simulator: ${sims.genesys.url}   (faults: ${sims.genesys.url}/__sim/genesys/settings)`,
    `    ServiceNow simulator:    ${sims.servicenow.url}   (incidents: ${sims.servicenow.url}/__sim/servicenow/incidents)`,
    '',
  ].join('\n'),
);

const narrate = logger.child({ module: 'sandbox' });
const authorization = `Basic ${Buffer.from(`${DEMO_CALLER.user}:${DEMO_CALLER.password}`).toString('base64')}`;
await playStory(
  { app, sims, narrate, baseUrl, authorization, signal: story.signal },
  [...foundationSteps, ...actionSteps, ...watchdogSteps],
  [brokeredTraffic],
);
