import type { IncidentKind, IncidentRow } from './incident-store.js';

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

/** The durable queue of ServiceNow deliveries (docs/design.md, 'Outbox'). */
export interface OutboxStore {
  /** Queues a delivery after the incident's earlier ones; returns its id. */
  enqueueDelivery(entry: { incidentId: string; operation: OutboxOperation; payload: Record<string, unknown>; at: number }): Promise<number>;
  /**
   * Leases up to `limit` due deliveries, at most the first undelivered one of each incident, none
   * leased by someone else. (PostgreSQL: the same selection `FOR UPDATE SKIP LOCKED`.) `instance`: only
   * the entries of incidents delivered to that ServiceNow instance (one relay per instance).
   */
  claimDeliveries(options: { owner: string; now: number; leaseMs: number; limit: number; instance?: string }): Promise<ClaimedDelivery[]>;
  /** Removes a delivered entry; false when `owner` no longer holds its lease. */
  completeDelivery(id: number, owner: string): Promise<boolean>;
  /**
   * Releases a failed entry for a later attempt; false when `owner` no longer holds its lease.
   * `inDoubt`: whether the entry may have reached ServiceNow so far (see `OutboxEntry.inDoubt`).
   */
  retryDelivery(id: number, owner: string, retry: { nextAttemptAt: number; error: string; inDoubt: boolean }): Promise<boolean>;
  /** Earliest time an unleased delivery is due, or null when there is none. */
  nextDeliveryDueAt(options?: { instance?: string }): Promise<number | null>;
  outboxDepth(): Promise<number>;
  /** Incidents with an undelivered entry queued at or before `cutoff` that has failed at least once. */
  listStuckDeliveries(cutoff: number): Promise<StuckDelivery[]>;
}
