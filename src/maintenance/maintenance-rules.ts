import type { MaintenanceScope, MaintenanceWindow } from './maintenance-store.js';

/**
 * The maintenance rules (docs/design.md, "Maintenance windows") as pure functions: what a window
 * covers, and what the windows mean for an incident subject's failing trunks.
 */

/** What a window is matched against: a trunk as the trunk store knows it. */
export interface CoveredTrunk {
  org: string;
  trunkId: string;
  trunkBaseId: string | null;
  edgeId: string | null;
}

export function covers(scope: MaintenanceScope, trunk: CoveredTrunk): boolean {
  if (scope.org !== null && scope.org !== trunk.org) return false;
  switch (scope.kind) {
    case 'all':
      return true;
    case 'trunk':
      return trunk.trunkId === scope.id;
    case 'trunkBase':
      return trunk.trunkBaseId === scope.id;
    case 'edge':
      return trunk.edgeId === scope.id;
  }
}

/** In force at `now`: started, not ended (a window ends at `endsAt`, exclusive). */
export const isActive = (w: MaintenanceWindow, now: number): boolean => w.startsAt <= now && now < w.endsAt;

/** The active window covering the trunk that lasts longest, or null. */
export function activeWindowFor(windows: readonly MaintenanceWindow[], trunk: CoveredTrunk, now: number): MaintenanceWindow | null {
  let best: MaintenanceWindow | null = null;
  for (const w of windows) if (isActive(w, now) && covers(w.scope, trunk) && (!best || w.endsAt > best.endsAt)) best = w;
  return best;
}

/** What the windows mean for one incident subject now. */
export interface SubjectCover {
  /** Every failing trunk is covered by an active window: this one (of the longest-failing trunk) suppresses the incident. */
  window: MaintenanceWindow | null;
  /** The latest end (≤ now) of a window that covered a failing trunk: the failure counts as new from then. */
  endedAt: number | null;
}

export const NOT_COVERED: SubjectCover = Object.freeze({ window: null, endedAt: null });

/**
 * The cover of a subject whose failing trunks are `failing` (longest failing first). A trunk-base
 * subject is suppressed only while every failing trunk of it is under maintenance: a carrier's Edge
 * outside the window failing too is still an incident.
 */
export function subjectCover(windows: readonly MaintenanceWindow[], failing: readonly CoveredTrunk[], now: number): SubjectCover {
  if (windows.length === 0 || failing.length === 0) return NOT_COVERED;
  let endedAt: number | null = null;
  for (const w of windows)
    if (w.endsAt <= now && (endedAt === null || w.endsAt > endedAt) && failing.some((t) => covers(w.scope, t))) endedAt = w.endsAt;
  const active = failing.map((t) => activeWindowFor(windows, t, now));
  const window = active.every((w) => w !== null) ? active[0]! : null;
  return window === null && endedAt === null ? NOT_COVERED : { window, endedAt };
}

/**
 * The start of a failure episode as the open-after delay counts it: a failure still present when a
 * window covering it ended is a new failure from that end.
 */
export function episodeStart(failingSince: number | null, cover: SubjectCover): number | null {
  if (failingSince === null || cover.endedAt === null) return failingSince;
  return Math.max(failingSince, cover.endedAt);
}

/** The orgs a window concerns: its own, or every configured org for an `all` window without one. */
export function orgsOf(scope: MaintenanceScope, orgs: readonly string[]): string[] {
  return scope.org !== null ? [scope.org] : [...orgs];
}

/** The audit subject of a window. */
export const maintenanceSubject = (id: string): string => `trunkgate:maintenance:${id}`;
