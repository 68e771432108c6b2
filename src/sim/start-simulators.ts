import { startGenesysSim, type GenesysSim, type GenesysSimOptions, type SimOrgSeed } from './genesys/index.js';
import { startServiceNowSim, type ServiceNowSim, type ServiceNowSimOptions } from './servicenow/index.js';

export { orgClient, orgTrunkIds } from './genesys/index.js';

/** The name of the one ServiceNow instance when `instances` is not given. */
export const DEFAULT_INSTANCE = 'default';

export interface SimulatorsOptions {
  genesys?: GenesysSimOptions;
  /** Options of every ServiceNow instance; a fixed `port` p gives the i-th instance p + i. */
  servicenow?: ServiceNowSimOptions;
  /**
   * Genesys orgs, all in the one Genesys simulator (orgs share a region's login service and API): a
   * name gives an org with its defaults (client `orgClient(name)`, trunks `orgTrunkIds(name)`), a seed
   * sets more. Short for `genesys.orgs`, which must then be absent.
   */
  orgs?: Array<string | SimOrgSeed>;
  /** ServiceNow instances by name, one simulator each (instances are separate hosts). Default one, `default`. */
  instances?: string[];
}

export interface Simulators {
  genesys: GenesysSim;
  /** The first ServiceNow instance. */
  servicenow: ServiceNowSim;
  /** Every ServiceNow instance by name, in the order given. */
  servicenowInstances: Map<string, ServiceNowSim>;
  /** The Genesys orgs' names, in order (the first is the default org). */
  orgs: string[];
  /** The ServiceNow instances' names, in order. */
  instances: string[];
  close(): Promise<void>;
}

/** Starts the Genesys simulator (every org) and each ServiceNow instance (port 0 = any free port) on 127.0.0.1 unless told otherwise. */
export async function startSimulators(options: SimulatorsOptions = {}): Promise<Simulators> {
  const instances = options.instances ?? [DEFAULT_INSTANCE];
  checkNames('instance', instances);
  if (options.orgs !== undefined && options.genesys?.orgs !== undefined) {
    throw new Error('startSimulators: give orgs or genesys.orgs, not both');
  }
  const orgs = options.orgs?.map((o) => (typeof o === 'string' ? { name: o } : o));
  const genesys = await startGenesysSim({ ...options.genesys, ...(orgs ? { orgs } : {}) });
  const started: ServiceNowSim[] = [];
  try {
    const basePort = options.servicenow?.port ?? 0;
    for (let i = 0; i < instances.length; i++) {
      started.push(await startServiceNowSim({ ...options.servicenow, port: basePort === 0 ? 0 : basePort + i }));
    }
  } catch (err) {
    await Promise.all([genesys.close(), ...started.map((s) => s.close())]);
    throw err;
  }
  return {
    genesys,
    servicenow: started[0]!,
    servicenowInstances: new Map(instances.map((name, i) => [name, started[i]!])),
    orgs: [...genesys.orgs],
    instances: [...instances],
    close: async () => {
      await Promise.all([genesys.close(), ...started.map((s) => s.close())]);
    },
  };
}

function checkNames(kind: string, names: string[]): void {
  if (names.length === 0) throw new Error(`startSimulators: at least one ${kind}`);
  const seen = new Set<string>();
  for (const name of names) {
    if (typeof name !== 'string' || name.trim() === '') throw new Error(`startSimulators: every ${kind} needs a name`);
    if (seen.has(name)) throw new Error(`startSimulators: ${kind} "${name}" appears twice`);
    seen.add(name);
  }
}
