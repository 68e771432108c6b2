import type { TrunkHealth } from './trunk-health.js';
import type { TrunkObservation } from './trunk-state.js';

/** Where a sighting came from: the poller, a Notifications API event, or `POST /v1/events`. */
export type SightingSource = 'poll' | 'notification' | 'event';

/** One observation of a trunk's health, stamped with its source and time. */
export interface TrunkSighting extends TrunkObservation {
  source: SightingSource;
  /** When it was observed (epoch ms, our clock). */
  observedAt: number;
  /** Set by `POST /v1/events`: a resent event with the same id is ignored. */
  eventId?: string;
  /** The Genesys health fields it was judged from (a full `Trunk`): the base for later partial events. */
  health?: TrunkHealth;
  /** The Genesys org the trunk belongs to; absent: the default org. */
  org?: string;
}

/**
 * A trunk event body (a `v2.telephony.providers.edges.trunks.{id}` notification, or a trunk object
 * sent to `POST /v1/events`), judged as a patch on the trunk's last known health fields: whether
 * such events are full snapshots is unconfirmed, so a field left out keeps its value.
 */
export interface TrunkPatch {
  trunkId: string;
  body: Record<string, unknown>;
  source: SightingSource;
  observedAt: number;
  eventId?: string;
  /** What the sender said besides the health fields (events only). */
  name?: string;
  edge?: { id: string; name: string | null };
  trunkBase?: { id: string; name: string | null };
  org?: string;
}

/**
 * What the monitor (polling and notifications) and the events endpoint feed. Trunk ingest implements
 * it: it keeps trunk state and records changes, and lets a watcher (the incidents) decide on them.
 */
export interface TrunkSightingSink {
  /** Returns false when the sighting was a duplicate (same eventId) and was ignored. */
  record(sighting: TrunkSighting): Promise<boolean>;
  /** A trunk event applied to the trunk's last known health; false when it was a duplicate. */
  recordPatch(patch: TrunkPatch): Promise<boolean>;
  /** After a complete poll: every trunk Genesys lists now (the rest are gone: deleted, or no longer EXTERNAL). */
  listed?(trunkIds: readonly string[]): Promise<void>;
}
