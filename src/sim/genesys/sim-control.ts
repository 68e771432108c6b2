import { clientInfo, createClientControl, type GenesysClientControl, type SimClientInfo } from './client-control.js';
import {
  asObject,
  optionalInt,
  optionalString,
  parseSeedTrunk,
  parseTrunkStateChange,
  requireBoolean,
  requireInt,
  requireString,
} from './control-input.js';
import { parseApiFault, parseTokenEndpointFault, type ApiFault, type TokenEndpointFault } from './faults.js';
import { loadClients, type GenesysSimState, type SimHttpRequest } from './genesys-sim-state.js';
import { fullEvents, parsePartialEvents, type PartialEventSettings, type TrunkEventField } from './partial-events.js';
import { SimControlError } from './sim-control-error.js';
import { emptyStats, type GenesysSimStats } from './sim-stats.js';
import type { TrunkStateChange } from './trunk-health.js';
import type { SeedTrunk, TrunkEvents } from './trunk-store.js';
import type { HeartbeatSettings } from './notification-hub.js';
import type { GenesysTrunk } from './wire-types.js';

/** A Notifications API channel as the control API shows it. */
export interface SimChannelInfo {
  id: string;
  clientId: string;
  topics: string[];
  connected: boolean;
  expires: string;
}

/** The simulator's current knobs, as `GET /__sim/genesys/settings` shows them. */
export interface GenesysSimSettings {
  tokenLifetimeSec: number;
  propagationLagMs: number;
  rateLimitPerMinute: number;
  tokenEndpointFault: (TokenEndpointFault & { remainingMs: number | null }) | null;
  apiFault: (ApiFault & { remainingMs: number | null }) | null;
  activeTokens: number;
  clients: SimClientInfo[];
  heartbeats: HeartbeatSettings;
  channelLimits: { lifetimeMs: number; maxChannelsPerClient: number; maxTopicsPerChannel: number };
  partialEvents: PartialEventSettings;
}

/** Fault injection and scenario control; every method has an HTTP twin under `/__sim/genesys`. */
export interface GenesysSimControl extends GenesysClientControl {
  /** Lifetime of tokens issued from now on (tokens already out keep theirs). */
  setTokenLifetime(seconds: number): void;
  /** New tokens are refused (401) by the API for this long after they are issued. */
  setPropagationLag(ms: number): void;
  /** Makes `POST /oauth/token` fail or slow down; `{mode: 'ok'}` heals it. */
  setTokenEndpointFault(fault: TokenEndpointFault): void;
  /** From now on only `newSecret` works for this client; its tokens already out stay valid. */
  rotateClientSecret(clientId: string, newSecret: string): void;
  /**
   * Revokes every live token (or one client's); returns how many. The channels those tokens made get
   * `v2.system.token_revoked.{id}` and then end, their sockets closed.
   */
  revokeTokens(clientId?: string): number;
  /** Per-token requests per minute from now on. */
  setRateLimit(perMinute: number): void;
  /** Makes every `/api/v2` call fail (503/500), answer 429 (a storm) or slow down; `{mode: 'ok'}` heals it. */
  setApiFault(fault: ApiFault): void;
  listTrunks(): GenesysTrunk[];
  getTrunk(trunkId: string): GenesysTrunk | undefined;
  addTrunk(seed: SeedTrunk): GenesysTrunk;
  removeTrunk(trunkId: string): boolean;
  /** Registers, rejects (with a SIP code) or drops a trunk's registration. */
  setTrunkState(trunkId: string, change: TrunkStateChange): GenesysTrunk;
  setRegistersEnabled(trunkId: string, enabled: boolean): GenesysTrunk;
  /** Live Notifications API channels, with their subscriptions and whether a socket is connected. */
  listChannels(): SimChannelInfo[];
  /** Sends `v2.system.socket_closing` to open sockets (all, or one channel's) and closes them after `graceMs` (default 60000). Returns how many were warned. */
  sendSocketClosing(options?: { channelId?: string; graceMs?: number }): number;
  /** Drops the subscriptions of every channel (or one) and sends `v2.system.no_longer_subscribed.{id}` to its open socket. Returns how many channels. */
  sendNoLongerSubscribed(options?: { channelId?: string }): number;
  /** Sends `v2.system.token_revoked.{id}` to open sockets (all, or one channel's) without revoking anything. Returns how many. */
  sendTokenRevoked(options?: { channelId?: string }): number;
  /** Trunk events as patches: only changed fields (`changedOnly`, default true), never the `omit` ones; `{enabled: false}` sends full snapshots again. */
  setPartialEvents(settings: { enabled: boolean; changedOnly?: boolean; omit?: TrunkEventField[] }): void;
  /** Pushes a trunk topic event with this body, as is, to the sockets subscribed to the trunk. Returns how many got it. */
  pushTrunkEvent(trunkId: string, body: Record<string, unknown>): number;
  /** Cuts every notification socket without a close frame, as a network drop would. Returns how many. */
  dropSockets(): number;
  /** Stops (a stalled stream: no heartbeats, no pongs) or restarts heartbeats, optionally at a new period. */
  setHeartbeats(options: { enabled: boolean; intervalMs?: number }): void;
  /** Ends a channel now, as its 24 h running out would: its socket is closed and it is gone. */
  expireChannel(channelId: string): void;
  settings(): GenesysSimSettings;
  /** A snapshot of the counters. */
  stats(): GenesysSimStats;
  resetStats(): void;
  /** Back to the start options: faults, lag, limits, secrets, roles, scopes and trunks (tokens already issued stay valid), stats zeroed. */
  reset(): void;
  /** Subscribes to trunk events; returns the unsubscribe function. */
  on<E extends keyof TrunkEvents>(event: E, listener: (...args: TrunkEvents[E]) => void): () => void;
  /** Reports every login and API request as it arrives (path, raw query, headers); returns the unsubscribe function. */
  onRequest(listener: (request: SimHttpRequest) => void): () => void;
}

export function createGenesysSimControl(state: GenesysSimState): GenesysSimControl {
  const trunkOrThrow = (id: string) => {
    const t = state.trunks.get(id);
    if (!t) throw new SimControlError('not_found', `no trunk ${id}`);
    return t;
  };
  const withRemaining = <F extends { mode: string }>(fault: F | undefined, remainingMs: number) =>
    fault ? { ...fault, remainingMs: Number.isFinite(remainingMs) ? remainingMs : null } : null;

  return {
    ...createClientControl(state),
    setTokenLifetime(seconds) {
      state.settings.tokenLifetimeSec = requireInt(seconds, 'seconds', 1);
    },
    setPropagationLag(ms) {
      state.settings.propagationLagMs = requireInt(ms, 'ms', 0);
    },
    setTokenEndpointFault(fault) {
      state.tokenFault.set(parseTokenEndpointFault(fault), state.clock());
    },
    rotateClientSecret(clientId, newSecret) {
      const client = state.clients.get(clientId);
      if (!client) throw new SimControlError('not_found', `no client ${clientId}`);
      client.secret = requireString(newSecret, 'secret');
    },
    revokeTokens(clientId) {
      const revoked = state.tokens.revokeAll(clientId);
      state.notifications.sweep();
      return revoked;
    },
    setRateLimit(perMinute) {
      state.rateLimiter.limitPerMinute = requireInt(perMinute, 'perMinute', 1);
    },
    setApiFault(fault) {
      state.apiFault.set(parseApiFault(fault), state.clock());
    },
    listTrunks: () => state.trunks.list(),
    getTrunk: (id) => state.trunks.get(id),
    addTrunk: (seed) => state.trunks.add(parseSeedTrunk(seed)),
    removeTrunk: (id) => state.trunks.remove(id),
    setTrunkState(id, change) {
      trunkOrThrow(id);
      return state.trunks.setState(id, parseTrunkStateChange(change));
    },
    setRegistersEnabled(id, enabled) {
      trunkOrThrow(id);
      return state.trunks.setRegistersEnabled(id, requireBoolean(enabled, 'enabled'));
    },
    listChannels() {
      state.notifications.sweep();
      return state.channels.list().map((c) => ({
        id: c.id,
        clientId: c.clientId,
        topics: [...c.topics],
        connected: state.notifications.isConnected(c.id),
        expires: new Date(c.expiresAt).toISOString(),
      }));
    },
    sendSocketClosing(options = {}) {
      const o = asObject(options);
      return state.notifications.socketClosing({
        channelId: optionalString(o.channelId, 'channelId'),
        graceMs: optionalInt(o.graceMs, 'graceMs', 0),
      });
    },
    sendNoLongerSubscribed(options = {}) {
      return state.notifications.noLongerSubscribed({ channelId: optionalString(asObject(options).channelId, 'channelId') });
    },
    sendTokenRevoked(options = {}) {
      return state.notifications.tokenRevoked({ channelId: optionalString(asObject(options).channelId, 'channelId') });
    },
    setPartialEvents(settings) {
      state.notifications.setPartialEvents(parsePartialEvents(settings));
    },
    pushTrunkEvent(trunkId, body) {
      return state.notifications.pushTrunkEvent(requireString(trunkId, 'trunkId'), asObject(body));
    },
    dropSockets: () => state.notifications.dropSockets(),
    setHeartbeats(options) {
      const o = asObject(options);
      state.notifications.setHeartbeats({
        enabled: requireBoolean(o.enabled, 'enabled'),
        intervalMs: optionalInt(o.intervalMs, 'intervalMs', 10),
      });
    },
    expireChannel(channelId) {
      if (!state.channels.expire(requireString(channelId, 'channelId'))) throw new SimControlError('not_found', `no channel ${channelId}`);
      state.notifications.sweep();
    },
    settings() {
      const now = state.clock();
      return {
        tokenLifetimeSec: state.settings.tokenLifetimeSec,
        propagationLagMs: state.settings.propagationLagMs,
        rateLimitPerMinute: state.rateLimiter.limitPerMinute,
        tokenEndpointFault: withRemaining(state.tokenFault.current(now), state.tokenFault.remainingMs(now)),
        apiFault: withRemaining(state.apiFault.current(now), state.apiFault.remainingMs(now)),
        activeTokens: state.tokens.activeCount(),
        clients: [...state.clients.values()].map(clientInfo),
        heartbeats: { ...state.notifications.heartbeat },
        channelLimits: { ...state.channels.limits },
        partialEvents: structuredClone(state.notifications.partialEvents),
      };
    },
    stats: () => structuredClone(state.stats),
    resetStats() {
      state.stats = emptyStats();
    },
    reset() {
      state.tokenFault.clear();
      state.apiFault.clear();
      state.settings.tokenLifetimeSec = state.initial.tokenLifetimeSec;
      state.settings.propagationLagMs = state.initial.propagationLagMs;
      state.rateLimiter.limitPerMinute = state.initial.rateLimitPerMinute;
      state.rateLimiter.clear();
      loadClients(state);
      for (const t of state.trunks.list()) state.trunks.remove(t.id);
      for (const seed of structuredClone(state.initial.trunks)) state.trunks.add(seed);
      for (const channel of state.channels.clear()) state.notifications.closeChannel(channel, 'simulator reset');
      state.notifications.setHeartbeats({ ...state.initial.heartbeats });
      state.notifications.setPartialEvents(fullEvents());
      state.stats = emptyStats();
    },
    on(event, listener) {
      state.trunks.events.on(event, listener as never);
      return () => {
        state.trunks.events.off(event, listener as never);
      };
    },
    onRequest(listener) {
      state.requestListeners.add(listener);
      return () => void state.requestListeners.delete(listener);
    },
  };
}
