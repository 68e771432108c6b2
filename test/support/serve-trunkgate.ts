// A complete trunkgate (createApp from the environment, nothing swapped) in its own process, for tests
// that run several replicas. Prints one JSON line {"url": ...} once listening.
import { createApp } from '../../src/app/create-app.js';
import { loadConfig } from '../../src/config/config.js';
import { closeOnSignals } from '../../src/app/lifecycle.js';

const app = await createApp(loadConfig(process.env, { requireCallerAuth: true }));
closeOnSignals(app, (message, meta) => app.logger.info(message, meta));
const url = await app.listen(0, '127.0.0.1');
process.stdout.write(`${JSON.stringify({ url })}\n`);
