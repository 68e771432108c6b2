import type { RunningServer } from '../listen.js';
import { AnswerHold } from './answer-hold.js';
import { FaultState } from './fault-state.js';
import { IncidentTable } from './incident-table.js';
import type { SimConfig } from './options.js';
import { RateLimiter } from './rate-limiter.js';
import { createReferenceTables, type ReferenceTable } from './reference-tables.js';
import { emptyStats } from './sim-stats.js';
import type { ServiceNowSimStats } from './sim-stats.js';
import { TokenIssuer } from './token-issuer.js';
import { newSysId } from './wire.js';

/** Everything one simulated instance holds; the request handlers and the control share it. */
export interface SimState {
  config: SimConfig;
  tokens: TokenIssuer;
  limiter: RateLimiter;
  faults: FaultState;
  /** Answers kept back after their request was applied (a lost answer). */
  hold: AnswerHold;
  table: IncidentTable;
  /** Read-only tables incidents point to: sys_user, sys_user_group, cmdb_ci. */
  references: Map<string, ReferenceTable>;
  /** Mutated in place; reset with Object.assign(stats, emptyStats()). */
  stats: ServiceNowSimStats;
  /** Set once the port is open. */
  server: RunningServer | null;
}

export function createSimState(config: SimConfig): SimState {
  const state: SimState = {
    config,
    tokens: new TokenIssuer({
      clock: config.clock,
      lifetimeSec: config.tokenLifetimeSec,
      refreshLifetimeSec: config.refreshTokenLifetimeSec,
      format: config.tokenFormat,
      issuer: () => state.server?.url ?? 'http://servicenow.invalid',
    }),
    limiter: new RateLimiter(config.clock, config.rateLimit),
    faults: new FaultState(config.clock),
    hold: new AnswerHold(),
    table: new IncidentTable({ resolvedIsActive: config.resolvedIsActive }),
    references: createReferenceTables(config.users.values(), config.referenceRecords, newSysId),
    stats: emptyStats(),
    server: null,
  };
  return state;
}

/** The instance's base URL (no trailing slash), used for Location headers and reference links. */
export function baseUrl(state: SimState): string {
  return state.server?.url ?? '';
}
