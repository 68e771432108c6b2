import type { IncomingHttpHeaders } from 'node:http';
import { systemClock, type Clock } from '../clock.js';
import { ChannelRegistry, DEFAULT_CHANNEL_LIMITS } from './channel-registry.js';
import {
  defaultClients,
  defaultOrganization,
  defaultTrunks,
  generatedTrunks,
  type SimClientSeed,
  type SimRoleSeed,
} from './default-seed.js';
import { TimedFault, type ApiFault, type TokenEndpointFault } from './faults.js';
import { RateLimiter } from './rate-limiter.js';
import { NotificationHub } from './notification-hub.js';
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
  /** Adds this many generated, registered EXTERNAL trunks (see `generatedTrunks`) after `trunks`. */
  generatedTrunks?: number;
  /** Notifications API: heartbeat period (default 30000) and limits (24 h, 20 channels per client, 1000 topics per channel). */
  notifications?: { heartbeatIntervalMs?: number; channelLifetimeMs?: number; maxChannelsPerClient?: number; maxTopicsPerChannel?: number };
  /** Default 0: tokens work as soon as they are issued. */
  propagationLagMs?: number;
  organization?: GenesysNamedEntity;
}

export interface SimClient {
  clientId: string;
  secret: string;
  /** OAuth scopes a token issued from now on lists as `authorizedScope`. */
  scopes: string[];
  /** Their permissions decide, on every call, what the client's tokens may do. */
  roles: SimRoleSeed[];
  name: string;
}

/** Everything the simulator's routes and control share. */
/** A request as it reached the simulator: method, path, raw query string (without `?`) and headers. */
export interface SimHttpRequest {
  method: string;
  path: string;
  query: string;
  headers: IncomingHttpHeaders;
  at: number;
}

export interface GenesysSimState {
  readonly clock: Clock;
  readonly organization: GenesysNamedEntity;
  readonly clients: Map<string, SimClient>;
  readonly tokens: TokenStore;
  readonly trunks: TrunkStore;
  readonly rateLimiter: RateLimiter;
  readonly tokenFault: TimedFault<TokenEndpointFault>;
  readonly apiFault: TimedFault<ApiFault>;
  readonly channels: ChannelRegistry;
  readonly notifications: NotificationHub;
  readonly settings: { tokenLifetimeSec: number; propagationLagMs: number };
  /** Told of every login and API request as it arrives (control requests are not reported). */
  readonly requestListeners: Set<(request: SimHttpRequest) => void>;
  stats: GenesysSimStats;
  /** What `reset()` goes back to. */
  readonly initial: {
    clients: SimClientSeed[];
    trunks: SeedTrunk[];
    tokenLifetimeSec: number;
    propagationLagMs: number;
    rateLimitPerMinute: number;
    heartbeats: { enabled: boolean; intervalMs: number };
  };
}

export function createGenesysSimState(options: GenesysSimOptions = {}): GenesysSimState {
  const clock = options.clock ?? systemClock;
  const initial = {
    clients: structuredClone(options.clients ?? [...defaultClients]),
    trunks: structuredClone([...(options.trunks ?? defaultTrunks()), ...generatedTrunks(options.generatedTrunks ?? 0)]),
    tokenLifetimeSec: options.tokenLifetimeSec ?? 86_400,
    propagationLagMs: options.propagationLagMs ?? 0,
    rateLimitPerMinute: options.rateLimitPerMinute ?? 300,
    heartbeats: { enabled: true, intervalMs: options.notifications?.heartbeatIntervalMs ?? 30_000 },
  };
  const tokens = new TokenStore(clock);
  const trunks = new TrunkStore(clock);
  const n = options.notifications ?? {};
  const channels = new ChannelRegistry(clock, tokens, {
    lifetimeMs: n.channelLifetimeMs ?? DEFAULT_CHANNEL_LIMITS.lifetimeMs,
    maxChannelsPerClient: n.maxChannelsPerClient ?? DEFAULT_CHANNEL_LIMITS.maxChannelsPerClient,
    maxTopicsPerChannel: n.maxTopicsPerChannel ?? DEFAULT_CHANNEL_LIMITS.maxTopicsPerChannel,
  });
  const state: GenesysSimState = {
    clock,
    organization: options.organization ?? defaultOrganization,
    clients: new Map(),
    tokens,
    trunks,
    channels,
    notifications: new NotificationHub(channels, trunks, () => state.stats, { ...initial.heartbeats }),
    rateLimiter: new RateLimiter(clock, initial.rateLimitPerMinute),
    tokenFault: new TimedFault(),
    apiFault: new TimedFault(),
    settings: { tokenLifetimeSec: initial.tokenLifetimeSec, propagationLagMs: initial.propagationLagMs },
    requestListeners: new Set(),
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
      scopes: [...(c.scopes ?? [])],
      roles: structuredClone(c.roles ?? []),
      name: c.name ?? c.clientId,
    });
  }
}
