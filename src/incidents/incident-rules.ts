import type { IncidentKind, IncidentRow } from './incident-store.js';
import type { Health, HealthTimers } from '../trunks/health-timers.js';
import type { TrunkState } from '../trunks/trunk-state.js';

/**
 * The incident rules (docs/design.md, "Incidents") as pure functions: no clock, no store. The service
 * feeds them the current rows and applies what they decide.
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

export function kindOf(state: TrunkState): IncidentKind | null {
  return state === 'rejected' ? 'registration_rejected' : state === 'dropped' ? 'registration_dropped' : null;
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
export function decide(input: {
  subject: SubjectNow;
  open: IncidentRow | null;
  latest: IncidentRow | null;
  changed: boolean;
  now: number;
  settings: RuleSettings;
}): Decision {
  const { subject: s, open, latest, changed, now, settings } = input;
  if (open) {
    if (s.health === 'healthy' && s.healthySince !== null && now - s.healthySince >= settings.resolveAfterMs)
      return { type: 'resolve', incident: open };
    const noteDue = open.lastNoteAt === null || now - open.lastNoteAt >= settings.noteIntervalMs;
    if (changed) return noteDue ? { type: 'note', incident: open } : { type: 'hold', incident: open };
    if (open.changesSinceNote > 0 && noteDue) return { type: 'note', incident: open };
    return { type: 'none' };
  }
  if (s.health !== 'failing' || s.kind === null || s.failingSince === null || now - s.failingSince < settings.openAfterMs)
    return { type: 'none' };
  if (latest && !latest.open && latest.resolvedAt !== null && s.failingSince - latest.resolvedAt <= settings.reopenWindowMs) {
    return { type: 'reopen', incident: latest, kind: s.kind };
  }
  return { type: 'open', kind: s.kind };
}
