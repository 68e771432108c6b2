import type { Registry } from 'prom-client';
import type { Config } from '../config/config.js';
import type { Logger } from '../log/logger.js';
import type { Clock } from '../time/clock.js';
import { Periodic } from '../time/periodic.js';
import type { ServiceNowIncidents } from '../upstream/servicenow-client.js';
import { CredentialsIncident } from './credentials-incident.js';
import { Decisions, type DecisionStores } from './decisions.js';
import type { IncidentMapping } from './incident-mapping.js';
import { IncidentMetrics } from './incident-metrics.js';
import { IncidentWriter } from './incident-writer.js';
import { OutboxRelay, type OutboxRelayOptions, type RelayTx } from './outbox-relay.js';
import type { OutboxStore } from './outbox-store.js';
import { RotationTracker } from './rotation-tracker.js';
import { TrunkIncidents } from './trunk-incidents.js';

export type IncidentsStores = DecisionStores & RelayTx & Pick<OutboxStore, 'outboxDepth'>;

export interface IncidentsDeps {
  config: Pick<Config, 'incidents' | 'actionTimeoutMs'>;
  stores: IncidentsStores;
  clock: Clock;
  logger: Logger;
  registry: Registry;
  servicenow: ServiceNowIncidents;
  mapping: IncidentMapping;
  /** With several replicas: whether this one decides the credentials incident (the leader). */
  isLeader?: () => boolean;
  /** How often persistent failures, resolves and held notes are checked (default from the settings). */
  tickMs?: number;
  /** Relay settings a test or a benchmark changes (poll interval, backoff, jitter, owner). */
  relay?: Partial<Omit<OutboxRelayOptions, 'store' | 'servicenow' | 'clock' | 'logger' | 'metrics'>>;
}

/** The incidents feature: decisions per subject, the outbox relay that delivers them, and their tick. */
export interface Incidents {
  /** Decides on trunk changes (the trunk ingest's watcher) and on time. */
  trunks: TrunkIncidents;
  /** The Genesys credentials incident. */
  credentials: CredentialsIncident;
  relay: OutboxRelay;
  metrics: IncidentMetrics;
  /** Genesys token rotations, told in trunk incidents (a rotation just before a 403 is a clue). */
  rotations: RotationTracker;
  /** One pass of the time-driven rules (also every `tickMs` once started). */
  tick(): Promise<void>;
  start(): void;
  /** Stops deciding, then flushes the outbox for at most `flushMs`. */
  stop(flushMs: number): Promise<void>;
}

/** The tick: often enough to honour the shortest of the rule delays to within a fifth of it. */
export function defaultTickMs(s: Config['incidents']): number {
  return Math.min(
    5_000,
    Math.max(100, Math.min(s.openAfterMs || Infinity, s.resolveAfterMs || Infinity, s.noteIntervalMs || Infinity) / 5),
  );
}

export function createIncidents(deps: IncidentsDeps): Incidents {
  const { config, stores, clock, logger } = deps;
  const settings = config.incidents;
  const log = logger.child({ module: 'incidents' });
  const metrics = new IncidentMetrics(deps.registry, () => stores.outboxDepth());
  const rotations = new RotationTracker(clock.now());
  const relay = new OutboxRelay({
    leaseMs: Math.max(60_000, 3 * config.actionTimeoutMs),
    ...deps.relay,
    store: stores,
    servicenow: deps.servicenow,
    clock,
    logger,
    metrics,
  });
  const decisions = new Decisions({ store: stores, logger, metrics, onQueued: () => relay.wake() });
  const writer = new IncidentWriter(deps.mapping, settings);
  const trunks = new TrunkIncidents({ store: stores, clock, decisions, writer, settings, rotations, grouping: settings.groupBy });
  const credentials = new CredentialsIncident({ clock, logger, decisions, writer, settings, decides: deps.isLeader });
  const ticker = new Periodic(
    clock,
    deps.tickMs ?? defaultTickMs(settings),
    async () => {
      await trunks.reviewDue();
      await credentials.review();
    },
    (err) => log.warn('incident tick failed; retrying at the next tick', { err }),
  );
  return {
    trunks,
    credentials,
    relay,
    metrics,
    rotations,
    tick: () => ticker.run(),
    start() {
      ticker.start();
      relay.start();
    },
    async stop(flushMs) {
      await ticker.stop();
      await credentials.settled();
      await relay.stop(flushMs);
    },
  };
}
