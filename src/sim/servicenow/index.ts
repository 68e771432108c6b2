import { listen } from '../listen.js';
import { ServiceNowSimControl } from './control.js';
import { createSimHandler } from './handler.js';
import type { SimIncident } from './incident-table.js';
import { resolveOptions } from './options.js';
import type { ServiceNowSimOptions } from './options.js';
import type { ServiceNowSimStats } from './sim-stats.js';
import { createSimState } from './sim-state.js';

export { ServiceNowSimControl } from './control.js';
export type { SimControlState, SimRequestEvent, SimResponseEvent } from './control.js';
export { CONTROL_PREFIX } from './control-api.js';
export { SimInputError } from './control-input.js';
export type { OutageMode, OutageOptions, RateLimitStormOptions, TokenFaultOptions } from './control-input.js';
export type { FaultSnapshot, Outage, RateLimitStorm, TokenFault } from './fault-state.js';
export type { AnswerHoldOptions, HeldAnswer } from './answer-hold.js';
export type { JournalEntry, SimIncident } from './incident-table.js';
export { DEMO_OAUTH_CLIENT, DEMO_USER } from './options.js';
export { DEMO_REFERENCE_RECORDS, demoReferenceIds, type ReferenceRecordOptions, type SimReferenceRecord } from './reference-tables.js';
export type { RateLimitRuleOptions, ServiceNowSimOptions, SimOAuthClientOptions, SimUserOptions, TokenFormat } from './options.js';
export type { RateLimitRule } from './rate-limiter.js';
export type { ServiceNowSimStats } from './sim-stats.js';

/** A running ServiceNow simulator. */
export interface ServiceNowSim {
  /** Base URL, e.g. http://127.0.0.1:43123 (no trailing slash); use it as SERVICENOW_INSTANCE_URL. */
  url: string;
  control: ServiceNowSimControl;
  /** Copies of the incidents, with their journals. */
  incidents(): SimIncident[];
  stats(): ServiceNowSimStats;
  resetStats(): void;
  close(): Promise<void>;
}

/** Starts a simulated ServiceNow instance (OAuth, Table API for incidents, rate limits, fault injection). */
export async function startServiceNowSim(options: ServiceNowSimOptions = {}): Promise<ServiceNowSim> {
  const config = resolveOptions(options);
  const state = createSimState(config);
  const control = new ServiceNowSimControl(state);
  const server = await listen(createSimHandler(state, control), { port: config.port, host: config.host });
  state.server = server;
  return {
    url: server.url,
    control,
    incidents: () => control.incidents(),
    stats: () => control.stats(),
    resetStats: () => control.resetStats(),
    close: async () => {
      control.dispose();
      await server.close();
    },
  };
}
