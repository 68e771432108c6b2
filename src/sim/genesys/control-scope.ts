import type { ApiFault, TimedFault, TokenEndpointFault } from './faults.js';
import type { GenesysSimState } from './genesys-sim-state.js';
import { SimControlError } from './sim-control-error.js';
import type { SimRegion } from './sim-region.js';
import type { GenesysSimStats } from './sim-stats.js';

/**
 * What one control surface acts on. The simulator's control (`sim.control`) covers the whole region:
 * every org, the region-wide faults and counters. `control.org(name)` covers one org: its own faults,
 * counters, clients, trunks and channels.
 */
export interface ControlScope {
  readonly region: SimRegion;
  /** Every org for the simulator's control, one for an org's. */
  readonly orgs: readonly GenesysSimState[];
  /** Where an added trunk goes, and whose knobs `settings()` shows: the first org, or the org itself. */
  readonly home: GenesysSimState;
  /** What `setTokenEndpointFault` and `setApiFault` set: the region's faults, or the org's own. */
  readonly tokenFault: TimedFault<TokenEndpointFault>;
  readonly apiFault: TimedFault<ApiFault>;
  /** What `stats()` shows: the region's counters of everything, or the org's. */
  readonly stats: GenesysSimStats;
  /** The org, for an org's control; undefined for the simulator's. */
  readonly org?: GenesysSimState;
}

export function regionScope(region: SimRegion): ControlScope {
  const { tokenFault, apiFault, stats } = region;
  return { region, orgs: region.orgs, home: region.firstOrg, tokenFault, apiFault, stats };
}

export function orgScope(org: GenesysSimState): ControlScope {
  const { region, tokenFault, apiFault, stats } = org;
  return { region, orgs: [org], home: org, tokenFault, apiFault, stats, org };
}

/** The org in scope that holds this trunk; `not_found` otherwise (another org's trunk is not this control's). */
export function trunkOwner(scope: ControlScope, trunkId: string): GenesysSimState {
  const owner = scope.orgs.find((o) => o.trunks.has(trunkId));
  if (!owner) throw new SimControlError('not_found', `no trunk ${trunkId}`);
  return owner;
}
