import type { Registry } from 'prom-client';
import type { Logger } from '../log/logger.js';
import type { Transactional } from '../store/store-set.js';
import type { Clock } from '../time/clock.js';
import { TrunkIngest, type IngestTx, type TrunkWatcher } from './trunk-ingest.js';
import { SightingMetrics, TrunkStateMetrics } from './trunk-metrics.js';

export interface TrunksDeps<Tx extends IngestTx> {
  stores: Tx & Transactional<Tx>;
  clock: Clock;
  logger: Logger;
  registry: Registry;
  /** INCIDENT_OPEN_AFTER_MS: a failure episode survives healthy spells shorter than this. */
  openAfterMs: number;
  /** What acts on trunk changes, in the transaction that records them (the incidents). */
  watcher: TrunkWatcher<Tx>;
  /** The org a sighting or event without one belongs to, and whether names carry the org (connections file). */
  defaultOrg?: string;
  perOrg?: boolean;
  /** The configured orgs (with `perOrg`, the trunk metrics are per org). */
  orgs?: readonly string[];
}

/** The trunks feature: trunk state kept from sightings and events, and its metrics. */
export interface Trunks<Tx extends IngestTx> {
  /** The TrunkSightingSink the monitor feeds, and `POST /v1/events`' target. */
  ingest: TrunkIngest<Tx>;
}

export function createTrunks<Tx extends IngestTx>(deps: TrunksDeps<Tx>): Trunks<Tx> {
  const { stores, clock, logger, registry } = deps;
  new TrunkStateMetrics(registry, () => stores.listTrunks(), deps.perOrg ? deps.orgs : undefined);
  const ingest = new TrunkIngest<Tx>({
    store: stores,
    clock,
    logger,
    metrics: new SightingMetrics(registry, deps.perOrg && deps.orgs !== undefined),
    openAfterMs: deps.openAfterMs,
    watcher: deps.watcher,
    defaultOrg: deps.defaultOrg,
    perOrg: deps.perOrg,
  });
  return { ingest };
}
