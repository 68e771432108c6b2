/**
 * What a maintenance window covers: one trunk, every trunk of a trunk base, every trunk on an Edge (each
 * in one Genesys org), or every trunk (of one org, or of every org when `org` is null).
 */
export type MaintenanceScope =
  { kind: 'trunk' | 'trunkBase' | 'edge'; id: string; org: string } | { kind: 'all'; id: null; org: string | null };

/** A planned maintenance: failures of what it covers open no incident between `startsAt` and `endsAt`. */
export interface MaintenanceWindow {
  id: string;
  scope: MaintenanceScope;
  startsAt: number;
  endsAt: number;
  reason: string;
  /** The caller that created it. */
  createdBy: string;
  createdAt: number;
  /** When a replica announced its start (audit, work notes); null until then. */
  startNotedAt: number | null;
  /** When a replica announced its end; null until then. */
  endNotedAt: number | null;
}

/** One failure episode of one subject suppressed by one window (so it is audited once). */
export interface MaintenanceSuppression {
  windowId: string;
  /** The incident subject (correlation id) that opened no incident. */
  subject: string;
  /** When the failure episode began. */
  episodeStart: number;
  at: number;
}

/** Maintenance windows, shared by every replica through the store. */
export interface MaintenanceStore {
  insertMaintenanceWindow(window: MaintenanceWindow): Promise<void>;
  getMaintenanceWindow(id: string): Promise<MaintenanceWindow | null>;
  /**
   * Windows ending after `endingAfter`, and (with `unannounced`) those whose end was not announced yet
   * however old; by start time, then id.
   */
  listMaintenanceWindows(options: { endingAfter: number; unannounced?: boolean }): Promise<MaintenanceWindow[]>;
  /** Ends a window not ended yet at `at` (a window that had not started yet is cancelled); false when none. */
  endMaintenanceWindow(id: string, at: number): Promise<boolean>;
  /** Takes the announcement of a window's start: true for the one caller (replica) that should make it. */
  markMaintenanceStartNoted(id: string, at: number): Promise<boolean>;
  /** Takes the announcement of a window's end: true for the one caller that should make it. */
  markMaintenanceEndNoted(id: string, at: number): Promise<boolean>;
  /** Records a suppressed failure episode; false when it was already recorded. */
  recordMaintenanceSuppression(entry: MaintenanceSuppression): Promise<boolean>;
  /** Deletes windows (and their suppressions) that ended before `before` (retention). */
  pruneMaintenance(before: number): Promise<void>;
}
