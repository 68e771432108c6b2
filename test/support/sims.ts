import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, type GenesysSimOptions } from '../../src/sim/genesys/index.js';
import { DEMO_OAUTH_CLIENT, DEMO_USER, type ServiceNowSimOptions } from '../../src/sim/servicenow/index.js';
import { startSimulators, type Simulators } from '../../src/sim/start-simulators.js';

/** Starts both simulators on free ports and returns the environment that points trunkgate at them. */
export async function startTestSims(
  options: { genesys?: GenesysSimOptions; servicenow?: ServiceNowSimOptions; servicenowAuth?: 'basic' | 'oauth-password' } = {},
): Promise<{ sims: Simulators; env: Record<string, string> }> {
  const sims = await startSimulators(options);
  const env: Record<string, string> = {
    GENESYS_LOGIN_URL: sims.genesys.url,
    GENESYS_API_URL: sims.genesys.url,
    GENESYS_CLIENT_ID: DEMO_CLIENT_ID,
    GENESYS_CLIENT_SECRET: DEMO_CLIENT_SECRET,
    SERVICENOW_INSTANCE_URL: sims.servicenow.url,
    SERVICENOW_USERNAME: DEMO_USER.username,
    SERVICENOW_PASSWORD: DEMO_USER.password,
  };
  if (options.servicenowAuth === 'oauth-password') {
    env.SERVICENOW_CLIENT_ID = DEMO_OAUTH_CLIENT.clientId;
    env.SERVICENOW_CLIENT_SECRET = DEMO_OAUTH_CLIENT.clientSecret;
  }
  return { sims, env };
}
