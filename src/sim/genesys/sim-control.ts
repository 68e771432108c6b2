import { createChannelControl, type GenesysChannelControl } from './channel-control.js';
import { clientInfo, createClientControl, type GenesysClientControl, type SimClientInfo } from './client-control.js';
import { orgScope, regionScope, type ControlScope } from './control-scope.js';
import { requireInt, requireString } from './control-input.js';
import { parseApiFault, parseTokenEndpointFault, type ApiFault, type TokenEndpointFault } from './faults.js';
import { resetOrgState } from './genesys-sim-state.js';
import type { HeartbeatSettings } from './notification-hub.js';
import type { PartialEventSettings } from './partial-events.js';
import type { SimHttpRequest, SimRegion } from './sim-region.js';
import { zeroStats, type GenesysSimStats } from './sim-stats.js';
import { createTrunkControl, type GenesysTrunkControl } from './trunk-control.js';
import type { GenesysNamedEntity } from './wire-types.js';

export type { SimChannelInfo } from './channel-control.js';

/** The simulator's current knobs, as `GET /__sim/genesys/settings` shows them. */
export interface GenesysSimSettings {
  /** The orgs this control covers: every org for the simulator's control, one for an org's. */
  orgs: string[];
  /** This and the other per-org knobs below: the first org's, on the simulator's control. */
  tokenLifetimeSec: number;
  propagationLagMs: number;
  rateLimitPerMinute: number;
  /** The region-wide fault on the simulator's control, the org's own on an org's. */
  tokenEndpointFault: (TokenEndpointFault & { remainingMs: number | null }) | null;
  apiFault: (ApiFault & { remainingMs: number | null }) | null;
  activeTokens: number;
  clients: SimClientInfo[];
  heartbeats: HeartbeatSettings;
  channelLimits: { lifetimeMs: number; maxChannelsPerClient: number; maxTopicsPerChannel: number };
  partialEvents: PartialEventSettings;
}

/** An org the simulator hosts, as `listOrgs()` shows it. */
export interface SimOrgInfo {
  name: string;
  organization: GenesysNamedEntity;
  clientIds: string[];
  trunkCount: number;
}

/**
 * Fault injection and scenario control; every method has an HTTP twin under `/__sim/genesys`
 * (`?org=<name>` for an org's). The simulator's control acts on every org, its faults are region-wide
 * and its counters count everything; `org(name)` gives the same surface for one org (src/sim/genesys/README.md, "Several orgs").
 */
export interface GenesysSimControl extends GenesysClientControl, GenesysTrunkControl, GenesysChannelControl {
  /** The same control for one org: its clients, trunks, channels, knobs, faults and counters only. Unknown name: SimControlError `not_found`. */
  org(name: string): GenesysSimControl;
  /** The orgs this control covers, in order (the first is the default org). */
  listOrgs(): SimOrgInfo[];
  /** Lifetime of tokens issued from now on (tokens already out keep theirs). */
  setTokenLifetime(seconds: number): void;
  /** New tokens are refused (401) by the API for this long after they are issued. */
  setPropagationLag(ms: number): void;
  /** Makes `POST /oauth/token` fail or slow down (for everyone, or for an org's clients); `{mode: 'ok'}` heals it. */
  setTokenEndpointFault(fault: TokenEndpointFault): void;
  /** Per-token requests per minute from now on. */
  setRateLimit(perMinute: number): void;
  /** Makes every `/api/v2` call (or those with an org's tokens) fail (503/500), answer 429 (a storm) or slow down; `{mode: 'ok'}` heals it. */
  setApiFault(fault: ApiFault): void;
  settings(): GenesysSimSettings;
  /** A snapshot of the counters: of everything, or of an org's clients and tokens. */
  stats(): GenesysSimStats;
  /** Each covered org's counters, by org name. */
  statsByOrg(): Record<string, GenesysSimStats>;
  /** Zeroes the counters (the simulator's control: every org's too). */
  resetStats(): void;
  /** Back to the start options: faults, lag, limits, secrets, roles, scopes and trunks (tokens already issued stay valid), stats zeroed. */
  reset(): void;
  /** Reports every login and API request as it arrives (path, raw query, headers), or an org's only; returns the unsubscribe function. */
  onRequest(listener: (request: SimHttpRequest) => void): () => void;
}

/** The simulator's control; `org(name)` on it gives each org's. */
export function createGenesysSimControl(region: SimRegion): GenesysSimControl {
  const orgControls = new Map<string, GenesysSimControl>();
  const org = (name: string): GenesysSimControl => {
    const state = region.org(requireString(name, 'org'));
    let control = orgControls.get(state.name);
    if (!control) orgControls.set(state.name, (control = scopedControl(orgScope(state), org)));
    return control;
  };
  return scopedControl(regionScope(region), org);
}

function scopedControl(scope: ControlScope, org: (name: string) => GenesysSimControl): GenesysSimControl {
  const { orgs, home } = scope;
  const withRemaining = <F extends { mode: string }>(fault: F | undefined, remainingMs: number) =>
    fault ? { ...fault, remainingMs: Number.isFinite(remainingMs) ? remainingMs : null } : null;

  return {
    ...createClientControl(scope),
    ...createTrunkControl(scope),
    ...createChannelControl(scope),
    org,
    listOrgs: () =>
      orgs.map((o) => ({ name: o.name, organization: { ...o.organization }, clientIds: [...o.clients.keys()], trunkCount: o.trunks.size })),
    setTokenLifetime(seconds) {
      const value = requireInt(seconds, 'seconds', 1);
      for (const o of orgs) o.settings.tokenLifetimeSec = value;
    },
    setPropagationLag(ms) {
      const value = requireInt(ms, 'ms', 0);
      for (const o of orgs) o.settings.propagationLagMs = value;
    },
    setTokenEndpointFault(fault) {
      scope.tokenFault.set(parseTokenEndpointFault(fault), scope.region.clock());
    },
    setRateLimit(perMinute) {
      const value = requireInt(perMinute, 'perMinute', 1);
      for (const o of orgs) o.rateLimiter.limitPerMinute = value;
    },
    setApiFault(fault) {
      scope.apiFault.set(parseApiFault(fault), scope.region.clock());
    },
    settings() {
      const now = scope.region.clock();
      return {
        orgs: orgs.map((o) => o.name),
        tokenLifetimeSec: home.settings.tokenLifetimeSec,
        propagationLagMs: home.settings.propagationLagMs,
        rateLimitPerMinute: home.rateLimiter.limitPerMinute,
        tokenEndpointFault: withRemaining(scope.tokenFault.current(now), scope.tokenFault.remainingMs(now)),
        apiFault: withRemaining(scope.apiFault.current(now), scope.apiFault.remainingMs(now)),
        activeTokens: orgs.reduce((n, o) => n + o.tokens.activeCount(), 0),
        clients: orgs.flatMap((o) => [...o.clients.values()].map(clientInfo)),
        heartbeats: { ...home.notifications.heartbeat },
        channelLimits: { ...home.channels.limits },
        partialEvents: structuredClone(home.notifications.partialEvents),
      };
    },
    stats: () => structuredClone(scope.stats),
    statsByOrg: () => Object.fromEntries(orgs.map((o) => [o.name, structuredClone(o.stats)])),
    resetStats() {
      zeroStats(scope.stats);
      if (!scope.org) for (const o of orgs) zeroStats(o.stats);
    },
    reset() {
      scope.tokenFault.clear();
      scope.apiFault.clear();
      for (const o of orgs) resetOrgState(o);
      zeroStats(scope.stats);
    },
    onRequest(listener) {
      const watcher = { listener, ...(scope.org ? { org: scope.org } : {}) };
      scope.region.requestWatchers.add(watcher);
      return () => void scope.region.requestWatchers.delete(watcher);
    },
  };
}
