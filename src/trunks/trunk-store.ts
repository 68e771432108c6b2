import type { TrunkHealth } from './trunk-health.js';
import type { SightingSource } from './trunk-sighting.js';
import type { TrunkSignal, TrunkState } from './trunk-state.js';

/** A trunk's latest known health, plus the timers the incident rules need. */
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
  /**
   * The Genesys org it belongs to (`default` without a connections file). Trunk ids are unique across
   * orgs (Genesys entity ids are UUIDs), so the id alone still names a trunk.
   */
  org: string;
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

/** Trunk state, its changes, and the event ids already ingested. */
export interface TrunkStore {
  getTrunk(trunkId: string, options?: { forUpdate?: boolean }): Promise<TrunkRow | null>;
  /** By name (unnamed first), then id; `org`: only that org's. */
  listTrunks(options?: { org?: string }): Promise<TrunkRow[]>;
  /** The trunks of one trunk base (gone ones included), by name. */
  listTrunksOfBase(trunkBaseId: string): Promise<TrunkRow[]>;
  upsertTrunk(row: TrunkRow): Promise<void>;
  addTrunkEvent(event: Omit<TrunkEventRow, 'id'>): Promise<void>;
  /** Newest first; `afterAt` keeps only events later than it. */
  listTrunkEvents(trunkId: string, options: { limit: number; afterAt?: number }): Promise<TrunkEventRow[]>;
  /** Remembers an ingested event id; false when it was already there. */
  markEventProcessed(eventId: string, at: number): Promise<boolean>;
  /** Deletes state changes and processed event ids older than `before` (retention). */
  pruneTrunkHistory(before: number): Promise<void>;
}
