import request from 'supertest';
import { createApp, type TrunkgateApp } from '../../src/app/create-app.js';
import type { GenesysSimOptions } from '../../src/sim/genesys/index.js';
import type { ServiceNowSimOptions } from '../../src/sim/servicenow/index.js';
import type { Simulators } from '../../src/sim/start-simulators.js';
import { startTestSims } from './sims.js';
import { memoryLogger, testConfig, TEST_API_KEY } from './test-config.js';

export interface ActionHarness {
  app: TrunkgateApp;
  sims: Simulators;
  log: ReturnType<typeof memoryLogger>;
  /** POST /v1/actions/{name} with the test API key. */
  run(name: string, body: unknown): request.Test;
  close(): Promise<void>;
}

/** trunkgate with the built-in mappings (or `env.MAPPINGS_DIR`) against fresh simulators. */
export async function startActionHarness(
  options: { env?: Record<string, string>; genesys?: GenesysSimOptions; servicenow?: ServiceNowSimOptions } = {},
): Promise<ActionHarness> {
  const { sims, env } = await startTestSims({ genesys: options.genesys, servicenow: options.servicenow });
  const log = memoryLogger('info');
  try {
    const app = await createApp(testConfig({ ...env, ...options.env }), { logger: log.logger, processMetrics: false });
    return {
      app,
      sims,
      log,
      run: (name, body) =>
        request(app.express)
          .post(`/v1/actions/${name}`)
          .set('Authorization', `Bearer ${TEST_API_KEY}`)
          .set('Content-Type', 'application/json')
          .send(JSON.stringify(body)),
      close: async () => {
        await app.close();
        await sims.close();
      },
    };
  } catch (err) {
    await sims.close();
    throw err;
  }
}

export const apiKeyHeader = { Authorization: `Bearer ${TEST_API_KEY}` };
