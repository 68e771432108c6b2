import { DEFAULT_CONNECTION } from '../config/connections.js';
import type { TrunkSighting } from './trunk-sighting.js';
import type { TrunkRow } from './trunk-store.js';
import { isHealthyState, type TrunkState } from './trunk-state.js';

export type Health = 'healthy' | 'failing' | 'unknown';

export function healthOf(state: TrunkState): Health {
  return isHealthyState(state) ? 'healthy' : state === 'unknown' ? 'unknown' : 'failing';
}

/** The timers every watched subject (a trunk, the Genesys credentials) carries. */
export interface HealthTimers {
  failingSince: number | null;
  healthySince: number | null;
}

/**
 * Moves the timers on. A failure episode begins at the first failure and survives healthy spells
 * shorter than `openAfterMs`, so a trunk flapping faster than that counts as failing (and opens one
 * incident) instead of never looking "persistent". Unknown is neither: it ends a healthy spell and
 * keeps the episode as it was. `episodeHeld`: an open incident still holds the episode, so it survives
 * any healthy spell until that incident is resolved (its resolve note says when the problem began).
 */
export function advanceTimers(
  prev: (HealthTimers & { health: Health }) | null,
  health: Health,
  at: number,
  openAfterMs: number,
  episodeHeld = false,
): HealthTimers {
  const wasHealthySince = prev?.health === 'healthy' ? prev.healthySince : null;
  const healthySince = health === 'healthy' ? (wasHealthySince ?? at) : null;
  let failingSince = prev?.failingSince ?? null;
  // The episode is over once health has lasted openAfterMs (the spell measured up to this moment).
  const spell = healthySince ?? wasHealthySince;
  if (!episodeHeld && spell !== null && at - spell >= openAfterMs) failingSince = null;
  if (health === 'failing' && failingSince === null) failingSince = at;
  return { failingSince, healthySince };
}

/**
 * The trunk row after a sighting, and whether it changed what the helpdesk would care about. What a
 * sighting does not say (a notification has no name, Edge or trunk base) keeps its last known value.
 */
export function applySighting(
  prev: TrunkRow | null,
  s: TrunkSighting,
  at: number,
  openAfterMs: number,
  episodeHeld = false,
): { row: TrunkRow; changed: boolean; stateChanged: boolean } {
  const health = healthOf(s.state);
  const timers = advanceTimers(prev ? { ...prev, health: healthOf(prev.state) } : null, health, at, openAfterMs, episodeHeld);
  const stateChanged = prev === null || prev.state !== s.state;
  const changed = stateChanged || prev.sipCode !== s.sipCode || prev.errorText !== s.errorText;
  const row: TrunkRow = {
    trunkId: s.trunkId,
    name: s.name ?? prev?.name ?? null,
    edgeId: s.edge?.id ?? prev?.edgeId ?? null,
    edgeName: s.edge ? (s.edge.name ?? (s.edge.id === prev?.edgeId ? prev.edgeName : null)) : (prev?.edgeName ?? null),
    trunkBaseId: s.trunkBase?.id ?? prev?.trunkBaseId ?? null,
    trunkBaseName: s.trunkBase
      ? (s.trunkBase.name ?? (s.trunkBase.id === prev?.trunkBaseId ? prev.trunkBaseName : null))
      : (prev?.trunkBaseName ?? null),
    proxyAddress: s.proxyAddress ?? prev?.proxyAddress ?? null,
    state: s.state,
    signal: s.signal,
    since: stateChanged ? at : prev.since,
    sipCode: s.sipCode,
    errorText: s.errorText,
    connected: s.connected,
    registered: s.registered,
    stateTime: s.stateTime,
    source: s.source,
    lastSeenAt: at,
    failingSince: timers.failingSince,
    healthySince: timers.healthySince,
    health: s.health ?? prev?.health ?? null,
    // Seen again: listed (a sighting of a gone trunk is the one that says it is gone).
    goneAt: null,
    // A sighting names its org (the monitor of that org, or POST /v1/events); a trunk never changes org.
    org: s.org ?? prev?.org ?? DEFAULT_CONNECTION,
  };
  return { row, changed, stateChanged };
}
