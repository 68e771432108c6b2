import type { Clock } from '../clock.js';
import { ChannelRegistry } from './channel-registry.js';
import type { SimRoleSeed } from './default-seed.js';
import { TimedFault, type ApiFault, type TokenEndpointFault } from './faults.js';
import type { ResolvedOrgSeed } from './genesys-sim-options.js';
import { NotificationHub } from './notification-hub.js';
import { fullEvents } from './partial-events.js';
import { RateLimiter } from './rate-limiter.js';
import { emptyStats, zeroStats, type CounterField, type GenesysSimStats } from './sim-stats.js';
import type { SimRegion } from './sim-region.js';
import { TokenStore } from './token-store.js';
import { TrunkStore } from './trunk-store.js';
import type { GenesysNamedEntity } from './wire-types.js';

export interface SimClient {
  clientId: string;
  secret: string;
  /** OAuth scopes a token issued from now on lists as `authorizedScope`. */
  scopes: string[];
  /** Their permissions decide, on every call, what the client's tokens may do. */
  roles: SimRoleSeed[];
  name: string;
}

/** One org of the simulator: what its routes and control share. `sim.state` is the first org's. */
export interface GenesysSimState {
  readonly name: string;
  /** The simulator the org lives in (region-wide faults, counters, the other orgs). */
  readonly region: SimRegion;
  readonly clock: Clock;
  readonly organization: GenesysNamedEntity;
  readonly clients: Map<string, SimClient>;
  readonly tokens: TokenStore;
  readonly trunks: TrunkStore;
  readonly rateLimiter: RateLimiter;
  /** This org's own faults, applied after the region's: calls with its clients' credentials, or its tokens. */
  readonly tokenFault: TimedFault<TokenEndpointFault>;
  readonly apiFault: TimedFault<ApiFault>;
  readonly channels: ChannelRegistry;
  readonly notifications: NotificationHub;
  readonly settings: { tokenLifetimeSec: number; propagationLagMs: number };
  /** This org's counters (`region.stats` counts them too). */
  readonly stats: GenesysSimStats;
  /** What `reset()` goes back to. */
  readonly initial: ResolvedOrgSeed;
  /** Adds to a counter of this org and of the region. */
  count(field: CounterField, n?: number): void;
}

export function createOrgState(seed: ResolvedOrgSeed, region: SimRegion): GenesysSimState {
  const clock = region.clock;
  const tokens = new TokenStore(clock);
  const trunks = new TrunkStore(clock);
  const channels = new ChannelRegistry(clock, tokens, { ...seed.channelLimits });
  const stats = emptyStats();
  const count = (field: CounterField, n = 1) => {
    stats[field] += n;
    region.stats[field] += n;
  };
  const state: GenesysSimState = {
    name: seed.name,
    region,
    clock,
    organization: { ...seed.organization },
    clients: new Map(),
    tokens,
    trunks,
    channels,
    notifications: new NotificationHub(channels, trunks, count, { ...seed.heartbeats }),
    rateLimiter: new RateLimiter(clock, seed.rateLimitPerMinute),
    tokenFault: new TimedFault(),
    apiFault: new TimedFault(),
    settings: { tokenLifetimeSec: seed.tokenLifetimeSec, propagationLagMs: seed.propagationLagMs },
    stats,
    initial: seed,
    count,
  };
  loadClients(state);
  for (const trunk of structuredClone(seed.trunks)) state.trunks.add(trunk);
  return state;
}

export function loadClients(state: GenesysSimState): void {
  state.clients.clear();
  for (const c of state.initial.clients) {
    state.clients.set(c.clientId, {
      clientId: c.clientId,
      secret: c.clientSecret,
      scopes: [...(c.scopes ?? [])],
      roles: structuredClone(c.roles ?? []),
      name: c.name ?? c.clientId,
    });
  }
}

/** Back to the org's start: faults, lag, limits, secrets, roles, scopes, trunks, channels, counters (tokens already issued stay valid). */
export function resetOrgState(state: GenesysSimState): void {
  const { initial } = state;
  state.tokenFault.clear();
  state.apiFault.clear();
  state.settings.tokenLifetimeSec = initial.tokenLifetimeSec;
  state.settings.propagationLagMs = initial.propagationLagMs;
  state.rateLimiter.limitPerMinute = initial.rateLimitPerMinute;
  state.rateLimiter.clear();
  loadClients(state);
  for (const t of state.trunks.list()) state.trunks.remove(t.id);
  for (const seed of structuredClone(initial.trunks)) state.trunks.add(seed);
  for (const channel of state.channels.clear()) state.notifications.closeChannel(channel, 'simulator reset');
  state.notifications.setHeartbeats({ ...initial.heartbeats });
  state.notifications.setPartialEvents(fullEvents());
  zeroStats(state.stats);
}
