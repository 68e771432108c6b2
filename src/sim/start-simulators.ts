import { startGenesysSim, type GenesysSim, type GenesysSimOptions } from './genesys/index.js';
import { startServiceNowSim, type ServiceNowSim, type ServiceNowSimOptions } from './servicenow/index.js';

export interface Simulators {
  genesys: GenesysSim;
  servicenow: ServiceNowSim;
  close(): Promise<void>;
}

/** Starts both simulators (port 0 = any free port) on 127.0.0.1 unless told otherwise. */
export async function startSimulators(
  options: { genesys?: GenesysSimOptions; servicenow?: ServiceNowSimOptions } = {},
): Promise<Simulators> {
  const genesys = await startGenesysSim(options.genesys);
  const servicenow = await startServiceNowSim(options.servicenow).catch(async (err: unknown) => {
    await genesys.close();
    throw err;
  });
  return {
    genesys,
    servicenow,
    close: async () => {
      await Promise.all([genesys.close(), servicenow.close()]);
    },
  };
}
