// Runs a trunkgate app in its own process for tests that need real process behaviour
// (memory, signals). Prints one JSON line {"url": ...} once listening.
import { createApp } from '../../src/app/create-app.js';
import { loadConfig } from '../../src/config/config.js';
import { closeOnSignals } from '../../src/app/lifecycle.js';
import { echoActions } from './echo-actions.js';

const config = loadConfig(process.env, { requireCallerAuth: true });
const app = await createApp(config, { actions: echoActions(Number(process.env.TEST_SLOW_MS ?? 300)) });
closeOnSignals(app, (message, meta) => app.logger.info(message, meta));
const url = await app.listen(0, '127.0.0.1');
process.stdout.write(`${JSON.stringify({ url })}\n`);
