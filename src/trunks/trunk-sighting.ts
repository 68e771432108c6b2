import type { TrunkObservation } from './trunk-state.js';

/** Where a sighting came from: the poller, a Notifications API event, or `POST /v1/events`. */
export type SightingSource = 'poll' | 'notification' | 'event';

/** One observation of a trunk's registration health, stamped with its source and time. */
export interface TrunkSighting extends TrunkObservation {
  source: SightingSource;
  /** When it was observed (epoch ms, our clock). */
  observedAt: number;
  /** Set by `POST /v1/events`: a resent event with the same id is ignored. */
  eventId?: string;
}

/**
 * What the monitor (polling and notifications) and the events endpoint feed. The incident service
 * implements it: it keeps trunk state, records changes and decides about incidents.
 */
export interface TrunkSightingSink {
  /** Returns false when the sighting was a duplicate (same eventId) and was ignored. */
  record(sighting: TrunkSighting): Promise<boolean>;
  /** After a complete poll: every trunk Genesys lists now (the rest are gone: deleted, or no longer EXTERNAL). */
  listed?(trunkIds: readonly string[]): Promise<void>;
}
