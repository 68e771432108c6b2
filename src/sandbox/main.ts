// `npm run sandbox`: trunkgate wired to the built-in simulators, playing a scripted story.
// SANDBOX_ORGS=2: two Genesys orgs and two ServiceNow instances, from a connections file in DATA_DIR.
import { closeOnSignals } from '../app/lifecycle.js';
import { createLogger } from '../log/logger.js';
import { actionSteps } from './actions-story.js';
import { brokeredTraffic, foundationSteps } from './foundation-story.js';
import { sandboxBanner } from './sandbox-banner.js';
import { DEMO_CALLER, sandboxOrgCount, startSandbox } from './sandbox-setup.js';
import { playStory } from './story.js';
import { startHelpdeskWebhook, watchdogSteps } from './watchdog-story.js';

let orgCount: 1 | 2;
try {
  orgCount = sandboxOrgCount(process.env);
} catch (err) {
  process.stderr.write(`trunkgate sandbox: ${(err as Error).message}\n`);
  process.exit(2);
}
const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'info', pretty: process.env.LOG_FORMAT !== 'json' });
const helpdesk = await startHelpdeskWebhook((text) =>
  logger.child({ module: 'sandbox/helpdesk-webhook' }).info(`helpdesk alert received: ${text}`),
);
// Only where to listen and log may come from the environment: upstreams are always the simulators.
const sandbox = await startSandbox({ orgs: orgCount, env: process.env, logger, alertWebhookUrl: helpdesk.url });
const { app, sims } = sandbox;
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

process.stdout.write(sandboxBanner(sandbox, baseUrl));

const narrate = logger.child({ module: 'sandbox' });
const authorization = `Basic ${Buffer.from(`${DEMO_CALLER.user}:${DEMO_CALLER.password}`).toString('base64')}`;
await playStory(
  { app, sims, orgs: sandbox.orgs, perOrg: sandbox.connectionsFile !== null, narrate, baseUrl, authorization, signal: story.signal },
  [...foundationSteps, ...actionSteps, ...watchdogSteps],
  [brokeredTraffic],
);
