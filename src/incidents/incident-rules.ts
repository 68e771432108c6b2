import type { IncidentKind, IncidentRow, TrunkRow } from '../store/store.js';
import type { TrunkSighting } from '../trunks/trunk-sighting.js';
import type { TrunkState } from '../trunks/trunk-state.js';

/**
 * The incident rules (docs/design.md, 'Incidents') as pure functions: no clock, no store. The service feeds them
 * the current rows and applies what they decide.
 */

export interface RuleSettings {
  /** A failure must persist this long before an incident opens. */
  openAfterMs: number;
  /** A subject must stay healthy this long before its incident is resolved. */
  resolveAfterMs: number;
  /** A failure that began this soon after a resolve reopens that incident. */
  reopenWindowMs: number;
  /** At most one work note per incident per this interval; changes in between are coalesced. */
  noteIntervalMs: number;
}

export type Health = 'healthy' | 'failing' | 'unknown';

export function healthOf(state: TrunkState): Health {
  return state === 'registered' ? 'healthy' : state === 'unknown' ? 'unknown' : 'failing';
}

export function kindOf(state: TrunkState): IncidentKind | null {
  return state === 'rejected' ? 'registration_rejected' : state === 'dropped' ? 'registration_dropped' : null;
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
 * keeps the episode as it was.
 */
export function advanceTimers(prev: (HealthTimers & { health: Health }) | null, health: Health, at: number, openAfterMs: number, incidentOpen = false): HealthTimers {
  const wasHealthySince = prev?.health === 'healthy' ? prev.healthySince : null;
  const healthySince = health === 'healthy' ? (wasHealthySince ?? at) : null;
  let failingSince = prev?.failingSince ?? null;
  // The episode is over once health has lasted openAfterMs (the spell measured up to this moment) —
  // unless its incident is still open: that incident's resolve note says when the problem began.
  const spell = healthySince ?? wasHealthySince;
  if (!incidentOpen && spell !== null && at - spell >= openAfterMs) failingSince = null;
  if (health === 'failing' && failingSince === null) failingSince = at;
  return { failingSince, healthySince };
}

/** The trunk row after a sighting, and whether it changed what the helpdesk would care about. */
export function applySighting(prev: TrunkRow | null, s: TrunkSighting, at: number, openAfterMs: number, incidentOpen = false): { row: TrunkRow; changed: boolean; stateChanged: boolean } {
  const health = healthOf(s.state);
  const timers = advanceTimers(prev ? { ...prev, health: healthOf(prev.state) } : null, health, at, openAfterMs, incidentOpen);
  const stateChanged = prev === null || prev.state !== s.state;
  const changed = stateChanged || prev.sipCode !== s.sipCode || prev.errorText !== s.errorText;
  const row: TrunkRow = {
    trunkId: s.trunkId,
    // Notification events carry no name or Edge: keep the last known ones.
    name: s.name ?? prev?.name ?? null,
    edgeId: s.edge?.id ?? prev?.edgeId ?? null,
    edgeName: s.edge ? s.edge.name ?? (s.edge.id === prev?.edgeId ? prev.edgeName : null) : prev?.edgeName ?? null,
    proxyAddress: s.proxyAddress ?? prev?.proxyAddress ?? null,
    state: s.state,
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
  };
  return { row, changed, stateChanged };
}

/** What to do about one subject now. */
export type Decision =
  | { type: 'none' }
  | { type: 'open'; kind: IncidentKind }
  | { type: 'reopen'; incident: IncidentRow; kind: IncidentKind }
  | { type: 'note'; incident: IncidentRow }
  /** A change inside the note interval: counted now, told in the next note. */
  | { type: 'hold'; incident: IncidentRow }
  /** `gone`: the trunk is no longer listed by Genesys Cloud, so it can never be seen healthy again. */
  | { type: 'resolve'; incident: IncidentRow; reason?: 'gone' };

export interface SubjectNow extends HealthTimers {
  health: Health;
  /** The incident kind its current failure calls for (null unless failing). */
  kind: IncidentKind | null;
}

/**
 * The decision for a subject, given its open incident (if any), its latest incident (for the reopen
 * window) and whether this moment brought a change. Called on every sighting and on every tick.
 */
export function decide(input: { subject: SubjectNow; open: IncidentRow | null; latest: IncidentRow | null; changed: boolean; now: number; settings: RuleSettings }): Decision {
  const { subject: s, open, latest, changed, now, settings } = input;
  if (open) {
    if (s.health === 'healthy' && s.healthySince !== null && now - s.healthySince >= settings.resolveAfterMs) return { type: 'resolve', incident: open };
    const noteDue = open.lastNoteAt === null || now - open.lastNoteAt >= settings.noteIntervalMs;
    if (changed) return noteDue ? { type: 'note', incident: open } : { type: 'hold', incident: open };
    if (open.changesSinceNote > 0 && noteDue) return { type: 'note', incident: open };
    return { type: 'none' };
  }
  if (s.health !== 'failing' || s.kind === null || s.failingSince === null || now - s.failingSince < settings.openAfterMs) return { type: 'none' };
  if (latest && !latest.open && latest.resolvedAt !== null && s.failingSince - latest.resolvedAt <= settings.reopenWindowMs) {
    return { type: 'reopen', incident: latest, kind: s.kind };
  }
  return { type: 'open', kind: s.kind };
}
