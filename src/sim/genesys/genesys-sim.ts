import { systemClock } from '../clock.js';
import { listen, type RunningServer } from '../listen.js';
import { createGenesysSimApp } from './genesys-sim-app.js';
import { resolveOrgSeeds, type GenesysSimOptions } from './genesys-sim-options.js';
import type { GenesysSimState } from './genesys-sim-state.js';
import { createGenesysSimControl, type GenesysSimControl } from './sim-control.js';
import { SimRegion } from './sim-region.js';
import type { GenesysSimStats } from './sim-stats.js';

/** A running Genesys Cloud simulator. */
export interface GenesysSim {
  /** Base URL serving both the login service and the API, e.g. http://127.0.0.1:43123. */
  readonly url: string;
  /** The whole simulator; `control.org(name)` is one org's. */
  readonly control: GenesysSimControl;
  /** The HTTP server, e.g. to stop listening and make callers see ECONNREFUSED. */
  readonly server: RunningServer;
  /** The first (or only) org's state. */
  readonly state: GenesysSimState;
  /** Every org's state (`region.org(name)`), the region-wide faults and counters. */
  readonly region: SimRegion;
  /** The orgs' names, in order. */
  readonly orgs: readonly string[];
  stats(): GenesysSimStats;
  resetStats(): void;
  close(): Promise<void>;
}

/** Starts the simulator on `options.port` (0 = any free port) of `options.host` (127.0.0.1). */
export async function startGenesysSim(options: GenesysSimOptions = {}): Promise<GenesysSim> {
  const region = new SimRegion(options.clock ?? systemClock, resolveOrgSeeds(options));
  const control = createGenesysSimControl(region);
  const server = await listen(createGenesysSimApp(region, control), {
    port: options.port ?? 0,
    host: options.host ?? '127.0.0.1',
  });
  // Notification sockets live on the same port, as `connectUri` says.
  region.attach(server.server);
  return {
    url: server.url,
    control,
    server,
    state: region.firstOrg,
    region,
    orgs: region.orgs.map((o) => o.name),
    stats: () => control.stats(),
    resetStats: () => control.resetStats(),
    close: async () => {
      region.close();
      await server.close();
    },
  };
}
