import type { TrunkHealth } from '../trunks/trunk-health.js';
import type { SightingSource } from '../trunks/trunk-sighting.js';
import type { TrunkSignal, TrunkState } from '../trunks/trunk-state.js';

/** A trunk's latest known registration health, plus the timers the incident rules need. */
export interface TrunkRow {
  trunkId: string;
  name: string | null;
  edgeId: string | null;
  edgeName: string | null;
  /** The trunk base (one carrier's settings, instantiated once per Edge). */
  trunkBaseId: string | null;
  trunkBaseName: string | null;
  proxyAddress: string | null;
  state: TrunkState;
  /** What the state was judged on (REGISTER answers, SIP OPTIONS, the connection). */
  signal: TrunkSignal | null;
  /** When the current state was first seen (epoch ms). */
  since: number;
  sipCode: number | null;
  errorText: string | null;
  connected: boolean | null;
  registered: boolean | null;
  /** What Genesys said about when the situation began (ISO), if it said. */
  stateTime: string | null;
  source: SightingSource;
  lastSeenAt: number;
  /** Start of the current failure episode; brief healthy spells do not end it. */
  failingSince: number | null;
  /** Start of the current healthy spell; null while failing or unknown. */
  healthySince: number | null;
  /** The Genesys health fields last known (the base the next partial event is applied to). */
  health: TrunkHealth | null;
  /** When Genesys stopped listing the trunk (deleted, or no longer EXTERNAL); null while listed. */
  goneAt: number | null;
}

/** One recorded change of a trunk's state, SIP code or error text. */
export interface TrunkEventRow {
  id: number;
  trunkId: string;
  at: number;
  state: TrunkState;
  previousState: TrunkState | null;
  signal: TrunkSignal | null;
  sipCode: number | null;
  errorText: string | null;
  proxyAddress: string | null;
  source: SightingSource;
  eventId: string | null;
}

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
}

export type IncidentPatch = Partial<Omit<IncidentRow, 'id' | 'correlationId'>>;

/** An incident with its delivery backlog, for `GET /v1/incidents`. */
export interface IncidentSummary extends IncidentRow {
  /** Every trunk the incident concerns, in the order they were added. */
  trunkIds: string[];
  pendingDeliveries: number;
  lastDeliveryError: string | null;
}

export const outboxOperations = ['create', 'note', 'resolve', 'reopen'] as const;
export type OutboxOperation = (typeof outboxOperations)[number];

/** One pending ServiceNow delivery; an incident's deliveries go out in `seq` order. */
export interface OutboxEntry {
  id: number;
  incidentId: string;
  seq: number;
  operation: OutboxOperation;
  payload: Record<string, unknown>;
  createdAt: number;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  claimedBy: string | null;
  claimedUntil: number | null;
  /**
   * An earlier attempt may have reached ServiceNow without its answer being recorded: it was claimed
   * and never came back (a crash, an expired lease), or it failed in a way that leaves the outcome
   * unknown (a timeout, a reset connection). Set by every claim, cleared by a failure known not to
   * have reached ServiceNow. In a `ClaimedDelivery`, the value from before this claim.
   */
  inDoubt: boolean;
}

/** A delivery claimed by one relay, with its incident as it stood when claimed. */
export interface ClaimedDelivery extends OutboxEntry {
  incident: IncidentRow;
}

/** An incident whose deliveries have failed and waited longer than the alert threshold. */
export interface StuckDelivery {
  incidentId: string;
  correlationId: string;
  trunkId: string | null;
  kind: IncidentKind;
  /** The operation that is stuck. */
  operation: OutboxOperation;
  /** When its oldest undelivered operation was queued. */
  waitingSince: number;
  attempts: number;
  lastError: string | null;
}

export const auditSteps = ['seen', 'decided', 'sent', 'answered', 'alerted'] as const;
export type AuditStep = (typeof auditSteps)[number];

/** One line of the decision trail: what was seen, decided, sent and answered. */
export interface AuditEntry {
  at: number;
  /** The correlation id or trunk id the entry is about. */
  subject: string;
  incidentId: string | null;
  step: AuditStep;
  message: string;
  data: Record<string, unknown> | null;
}

export interface AuditRow extends AuditEntry {
  id: number;
}

/** A helpdesk-webhook problem: raised once, cleared once. */
export interface AlertRow {
  key: string;
  summary: string;
  raisedAt: number;
  raiseSentAt: number | null;
  clearedAt: number | null;
}

/**
 * What a helpdesk message is about: `raise` an alert not sent yet (and not over), `recover` one sent
 * and now over, `forget` one over before it was ever sent (deleted without a message).
 */
export type AlertPurpose = 'raise' | 'recover' | 'forget';

/** The data operations; the same on the store and on a transaction handle. */
export interface StoreOps {
  getTrunk(trunkId: string, options?: { forUpdate?: boolean }): Promise<TrunkRow | null>;
  listTrunks(): Promise<TrunkRow[]>;
  /** Failing, listed trunks whose episode began at or before `cutoff` and that no open incident concerns yet. */
  listTrunksDueToOpen(cutoff: number): Promise<TrunkRow[]>;
  /** The trunks of one trunk base (gone ones included), by name. */
  listTrunksOfBase(trunkBaseId: string): Promise<TrunkRow[]>;
  upsertTrunk(row: TrunkRow): Promise<void>;
  addTrunkEvent(event: Omit<TrunkEventRow, 'id'>): Promise<void>;
  /** Newest first; `afterAt` keeps only events later than it. */
  listTrunkEvents(trunkId: string, options: { limit: number; afterAt?: number }): Promise<TrunkEventRow[]>;
  /** Remembers an ingested event id; false when it was already there. */
  markEventProcessed(eventId: string, at: number): Promise<boolean>;

  getIncident(id: string): Promise<IncidentRow | null>;
  getOpenIncident(correlationId: string, options?: { forUpdate?: boolean }): Promise<IncidentRow | null>;
  /** The most recently opened incident for the key, open or not. */
  getLatestIncident(correlationId: string): Promise<IncidentRow | null>;
  listOpenIncidents(): Promise<IncidentRow[]>;
  /** Newest first; `trunkId` keeps the incidents that concern that trunk. */
  listIncidents(options: { open?: boolean; trunkId?: string; limit: number }): Promise<IncidentSummary[]>;
  /** The trunks an incident concerns, in the order they were added. */
  listIncidentTrunks(incidentId: string): Promise<string[]>;
  /** Adds trunks to those an incident concerns (ones already there are kept as they are). */
  addIncidentTrunks(incidentId: string, trunkIds: readonly string[], at: number): Promise<void>;
  /** Throws OpenIncidentConflictError when the key already has an open incident. */
  insertIncident(row: IncidentRow): Promise<void>;
  /** Throws OpenIncidentConflictError when reopening would make a second open incident. */
  updateIncident(id: string, patch: IncidentPatch): Promise<void>;

  /** Queues a delivery after the incident's earlier ones; returns its id. */
  enqueueDelivery(entry: { incidentId: string; operation: OutboxOperation; payload: Record<string, unknown>; at: number }): Promise<number>;
  /**
   * Leases up to `limit` due deliveries, at most the first undelivered one of each incident, none
   * leased by someone else. (PostgreSQL: the same selection `FOR UPDATE SKIP LOCKED`.)
   */
  claimDeliveries(options: { owner: string; now: number; leaseMs: number; limit: number }): Promise<ClaimedDelivery[]>;
  /** Removes a delivered entry; false when `owner` no longer holds its lease. */
  completeDelivery(id: number, owner: string): Promise<boolean>;
  /**
   * Releases a failed entry for a later attempt; false when `owner` no longer holds its lease.
   * `inDoubt`: whether the entry may have reached ServiceNow so far (see `OutboxEntry.inDoubt`).
   */
  retryDelivery(id: number, owner: string, retry: { nextAttemptAt: number; error: string; inDoubt: boolean }): Promise<boolean>;
  /** Earliest time an unleased delivery is due, or null when there is none. */
  nextDeliveryDueAt(): Promise<number | null>;
  outboxDepth(): Promise<number>;
  /** Incidents with an undelivered entry queued at or before `cutoff` that has failed at least once. */
  listStuckDeliveries(cutoff: number): Promise<StuckDelivery[]>;

  addAudit(entry: AuditEntry): Promise<void>;
  /** Newest first. */
  listAudit(options: { subject?: string; incidentId?: string; limit: number }): Promise<AuditRow[]>;

  listAlerts(): Promise<AlertRow[]>;
  /** Inserts a new problem; false when the key is already raised. */
  raiseAlert(row: AlertRow): Promise<boolean>;
  updateAlert(key: string, patch: Partial<Omit<AlertRow, 'key'>>): Promise<void>;
  deleteAlert(key: string): Promise<void>;
  /**
   * Takes, for `leaseMs`, the right to act on those of `keys` that still need `purpose` and that no
   * other owner holds (or whose hold has expired); returns the keys taken. Replicas checking the same
   * problems thereby send each message once.
   */
  claimAlerts(options: { keys: string[]; purpose: AlertPurpose; owner: string; now: number; leaseMs: number }): Promise<string[]>;
  /** Gives back `owner`'s claims on these alerts. */
  releaseAlerts(keys: string[], owner: string): Promise<void>;

  /** Deletes trunk events, audit lines and processed event ids older than `before`. */
  prune(before: number): Promise<void>;
}

/**
 * trunkgate's persistent state. Every method is async because the PostgreSQL implementation is.
 * `transaction` runs `fn` atomically; inside it use only the handle it is given.
 */
export interface Store extends StoreOps {
  readonly kind: 'sqlite' | 'postgres' | 'fake';
  transaction<T>(fn: (tx: StoreOps) => Promise<T>): Promise<T>;
  /** Resolves when the store answers a trivial query (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** The unique index "one open incident per correlation id" refused a write. */
export class OpenIncidentConflictError extends Error {
  constructor(readonly correlationId: string) {
    super(`an open incident already exists for ${correlationId}`);
    this.name = 'OpenIncidentConflictError';
  }
}
