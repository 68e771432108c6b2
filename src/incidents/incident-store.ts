import { WriteConflictError } from '../store/store-set.js';
import type { TrunkRow } from '../trunks/trunk-store.js';

export const incidentKinds = ['registration_rejected', 'registration_dropped', 'credentials_failed'] as const;
export type IncidentKind = (typeof incidentKinds)[number];

/** An incident trunkgate decided to open; `sysId`/`number` are known once ServiceNow has it. */
export interface IncidentRow {
  id: string;
  correlationId: string;
  /** The first trunk concerned (for a trunk-base incident, the first that failed); null for credentials. */
  trunkId: string | null;
  /** Set on a trunk-base incident (one carrier failing on one or more Edges). */
  trunkBaseId: string | null;
  kind: IncidentKind;
  /** True from the decision to open until the decision to resolve (one open row per correlation id). */
  open: boolean;
  openedAt: number;
  resolvedAt: number | null;
  reopenedAt: number | null;
  reopenCount: number;
  sysId: string | null;
  number: string | null;
  /** The ServiceNow `state` last confirmed by ServiceNow ("1", "2", "6"…). */
  servicenowState: string | null;
  lastNoteAt: number | null;
  /** Changes seen since the last work note, held back by the note throttle. */
  changesSinceNote: number;
  updatedAt: number;
  /** The Genesys org it is about (`default` without a connections file). */
  org: string;
  /** The ServiceNow instance (connection name) it is delivered to: chosen when it opens, by the routes. */
  servicenowInstance: string;
}

export type IncidentPatch = Partial<Omit<IncidentRow, 'id' | 'correlationId' | 'org' | 'servicenowInstance'>>;

/** An incident with its delivery backlog, for `GET /v1/incidents`. */
export interface IncidentSummary extends IncidentRow {
  /** Every trunk the incident concerns: its first trunk, then the others in the order they joined it. */
  trunkIds: string[];
  pendingDeliveries: number;
  lastDeliveryError: string | null;
}

/** The unique index "one open incident per correlation id" refused a write. */
export class OpenIncidentConflictError extends WriteConflictError {
  constructor(readonly correlationId: string) {
    super(`an open incident already exists for ${correlationId}`);
    this.name = 'OpenIncidentConflictError';
  }
}

/** Incidents, the trunks each concerns, and which failing trunks still await one. */
export interface IncidentStore {
  getIncident(id: string): Promise<IncidentRow | null>;
  /** The incidents with these ids (one query, for a page of audit entries); ids not found are left out. */
  getIncidentsByIds(ids: readonly string[]): Promise<IncidentRow[]>;
  /** The ids of the incidents this names: trunkgate's own id, a ServiceNow number or sys_id (a number may repeat across instances). */
  findIncidentIds(ref: string): Promise<string[]>;
  getOpenIncident(correlationId: string, options?: { forUpdate?: boolean }): Promise<IncidentRow | null>;
  /** The most recently opened incident for the key, open or not. */
  getLatestIncident(correlationId: string): Promise<IncidentRow | null>;
  listOpenIncidents(): Promise<IncidentRow[]>;
  /** Newest first; `trunkId` keeps the incidents that concern that trunk, `org` those of that org. */
  listIncidents(options: { open?: boolean; trunkId?: string; org?: string; limit: number }): Promise<IncidentSummary[]>;
  /** The trunks an incident concerns, in the order they were added. */
  listIncidentTrunks(incidentId: string): Promise<string[]>;
  /** Adds trunks to those an incident concerns (ones already there are kept as they are). */
  addIncidentTrunks(incidentId: string, trunkIds: readonly string[], at: number): Promise<void>;
  /** Throws OpenIncidentConflictError when the key already has an open incident. */
  insertIncident(row: IncidentRow): Promise<void>;
  /** Throws OpenIncidentConflictError when reopening would make a second open incident. */
  updateIncident(id: string, patch: IncidentPatch): Promise<void>;
  /** Failing, listed trunks whose episode began at or before `cutoff` and that no open incident concerns yet. */
  listTrunksDueToOpen(cutoff: number): Promise<TrunkRow[]>;
}
