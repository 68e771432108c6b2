import { createApp } from './app/create-app.js';
import { ConfigError, loadConfig, type Config } from './config/config.js';
import { closeOnSignals } from './app/lifecycle.js';
import { MappingError } from './actions/mapping-loader.js';
import { IncidentMappingError } from './incidents/incident-mapping.js';

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env, { requireCallerAuth: true });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`trunkgate: ${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  let app: Awaited<ReturnType<typeof createApp>>;
  try {
    app = await createApp(config);
  } catch (err) {
    if (err instanceof MappingError || err instanceof IncidentMappingError) {
      process.stderr.write(`trunkgate: ${err.message}\n`);
      process.exit(78); // EX_CONFIG: a mapping file is configuration
    }
    throw err;
  }
  closeOnSignals(app, (message, meta) => app.logger.info(message, meta));
  const url = await app.listen();
  app.logger.info('trunkgate listening', { url, genesys: config.genesys.apiUrl, servicenow: config.servicenow.instanceUrl });
}

main().catch((err: unknown) => {
  process.stderr.write(`trunkgate: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
