import { listen, type RunningServer } from '../listen.js';
import { createGenesysSimApp } from './genesys-sim-app.js';
import { createGenesysSimState, type GenesysSimOptions, type GenesysSimState } from './genesys-sim-state.js';
import { createGenesysSimControl, type GenesysSimControl } from './sim-control.js';
import type { GenesysSimStats } from './sim-stats.js';

/** A running Genesys Cloud simulator. */
export interface GenesysSim {
  /** Base URL serving both the login service and the API, e.g. http://127.0.0.1:43123. */
  readonly url: string;
  readonly control: GenesysSimControl;
  /** The HTTP server, e.g. to stop listening and make callers see ECONNREFUSED. */
  readonly server: RunningServer;
  readonly state: GenesysSimState;
  stats(): GenesysSimStats;
  resetStats(): void;
  close(): Promise<void>;
}

/** Starts the simulator on `options.port` (0 = any free port) of `options.host` (127.0.0.1). */
export async function startGenesysSim(options: GenesysSimOptions = {}): Promise<GenesysSim> {
  const state = createGenesysSimState(options);
  const control = createGenesysSimControl(state);
  const server = await listen(createGenesysSimApp(state, control), {
    port: options.port ?? 0,
    host: options.host ?? '127.0.0.1',
  });
  // Notification sockets live on the same port, as `connectUri` says.
  state.notifications.attach(server.server);
  return {
    url: server.url,
    control,
    server,
    state,
    stats: () => control.stats(),
    resetStats: () => control.resetStats(),
    close: async () => {
      state.notifications.close();
      await server.close();
    },
  };
}
