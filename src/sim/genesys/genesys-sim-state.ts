import { systemClock, type Clock } from '../clock.js';
import { defaultClients, defaultOrganization, defaultTrunks, type SimClientSeed } from './default-seed.js';
import { TimedFault, type ApiFault, type TokenEndpointFault } from './faults.js';
import { RateLimiter } from './rate-limiter.js';
import { emptyStats, type GenesysSimStats } from './sim-stats.js';
import { TokenStore } from './token-store.js';
import { TrunkStore, type SeedTrunk } from './trunk-store.js';
import type { GenesysNamedEntity } from './wire-types.js';

/** How the simulator starts (every field optional). */
export interface GenesysSimOptions {
  /** Default 0 (any free port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Drives token expiry, propagation lag, rate windows, fault durations and trunk timestamps. */
  clock?: Clock;
  /** Default: one demo client, `sandbox-genesys-client` / `sandbox-genesys-secret`. */
  clients?: SimClientSeed[];
  /** Default 86400 (the Genesys default for a new OAuth client). */
  tokenLifetimeSec?: number;
  /** Per access token per minute; default 300 (`token.rate.per.minute`). */
  rateLimitPerMinute?: number;
  /** Default: four registered EXTERNAL trunks on two Edges plus one PHONE trunk. */
  trunks?: SeedTrunk[];
  /** Default 0: tokens work as soon as they are issued. */
  propagationLagMs?: number;
  organization?: GenesysNamedEntity;
}

export interface SimClient {
  clientId: string;
  secret: string;
  scopes: string[];
  name: string;
}

/** Everything the simulator's routes and control share. */
export interface GenesysSimState {
  readonly clock: Clock;
  readonly organization: GenesysNamedEntity;
  readonly clients: Map<string, SimClient>;
  readonly tokens: TokenStore;
  readonly trunks: TrunkStore;
  readonly rateLimiter: RateLimiter;
  readonly tokenFault: TimedFault<TokenEndpointFault>;
  readonly apiFault: TimedFault<ApiFault>;
  readonly settings: { tokenLifetimeSec: number; propagationLagMs: number };
  stats: GenesysSimStats;
  /** What `reset()` goes back to. */
  readonly initial: {
    clients: SimClientSeed[];
    trunks: SeedTrunk[];
    tokenLifetimeSec: number;
    propagationLagMs: number;
    rateLimitPerMinute: number;
  };
}

export function createGenesysSimState(options: GenesysSimOptions = {}): GenesysSimState {
  const clock = options.clock ?? systemClock;
  const initial = {
    clients: structuredClone(options.clients ?? [...defaultClients]),
    trunks: structuredClone(options.trunks ?? defaultTrunks()),
    tokenLifetimeSec: options.tokenLifetimeSec ?? 86_400,
    propagationLagMs: options.propagationLagMs ?? 0,
    rateLimitPerMinute: options.rateLimitPerMinute ?? 300,
  };
  const state: GenesysSimState = {
    clock,
    organization: options.organization ?? defaultOrganization,
    clients: new Map(),
    tokens: new TokenStore(clock),
    trunks: new TrunkStore(clock),
    rateLimiter: new RateLimiter(clock, initial.rateLimitPerMinute),
    tokenFault: new TimedFault(),
    apiFault: new TimedFault(),
    settings: { tokenLifetimeSec: initial.tokenLifetimeSec, propagationLagMs: initial.propagationLagMs },
    stats: emptyStats(),
    initial,
  };
  loadClients(state);
  for (const seed of structuredClone(initial.trunks)) state.trunks.add(seed);
  return state;
}

export function loadClients(state: GenesysSimState): void {
  state.clients.clear();
  for (const c of state.initial.clients) {
    state.clients.set(c.clientId, {
      clientId: c.clientId,
      secret: c.clientSecret,
      scopes: [...c.scopes],
      name: c.name ?? c.clientId,
    });
  }
}
