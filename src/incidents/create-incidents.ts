import type { Registry } from 'prom-client';
import type { Config } from '../config/config.js';
import { DEFAULT_CONNECTION, type ConnectionsConfig } from '../config/connections.js';
import type { Logger } from '../log/logger.js';
import { MaintenanceWindows } from '../maintenance/maintenance-windows.js';
import type { Clock } from '../time/clock.js';
import { Periodic } from '../time/periodic.js';
import type { ServiceNowIncidents } from '../upstream/servicenow-client.js';
import { CredentialsIncident } from './credentials-incident.js';
import { Decisions, type DecisionStores } from './decisions.js';
import type { IncidentMapping } from './incident-mapping.js';
import { IncidentMetrics } from './incident-metrics.js';
import { createIncidentRouter } from './incident-router.js';
import { IncidentWriter } from './incident-writer.js';
import { MaintenanceReview } from './maintenance-review.js';
import { OutboxRelay, type OutboxRelayOptions, type RelayTx } from './outbox-relay.js';
import type { OutboxStore } from './outbox-store.js';
import { RotationTracker } from './rotation-tracker.js';
import { SubjectKeys } from './subjects.js';
import { TrunkIncidents } from './trunk-incidents.js';
import { subjectNames } from '../trunks/subject-names.js';

export type IncidentsStores = DecisionStores & RelayTx & Pick<OutboxStore, 'outboxDepth'>;

export interface IncidentsDeps {
  config: Pick<Config, 'incidents' | 'actionTimeoutMs'> & { connections?: ConnectionsConfig };
  stores: IncidentsStores;
  clock: Clock;
  logger: Logger;
  registry: Registry;
  /** Where incidents are delivered: one client, or one per ServiceNow instance (connection name). */
  servicenow: ServiceNowIncidents | ReadonlyMap<string, ServiceNowIncidents>;
  mapping: IncidentMapping;
  /** With several replicas: whether this one decides the credentials incidents (the leader). */
  isLeader?: () => boolean;
  /** How often persistent failures, resolves and held notes are checked (default from the settings). */
  tickMs?: number;
  /** Relay settings a test or a benchmark changes (poll interval, backoff, jitter, owner). */
  relay?: Partial<Omit<OutboxRelayOptions, 'store' | 'servicenow' | 'clock' | 'logger' | 'metrics' | 'instance'>>;
}

/** The incidents feature: decisions per subject, the outbox relays that deliver them, and their tick. */
export interface Incidents {
  /** Decides on trunk changes (the trunk ingest's watcher) and on time. */
  trunks: TrunkIncidents;
  /** The first org's Genesys credentials incident. */
  credentials: CredentialsIncident;
  /** Each org's Genesys credentials incident. */
  credentialsOf(org: string): CredentialsIncident;
  /** The maintenance windows: created, listed and ended here; their failures open no incident. */
  maintenance: MaintenanceWindows;
  /** The first relay (the only one with one ServiceNow instance). */
  relay: OutboxRelay;
  /** One relay per ServiceNow instance, by connection name (and `default`'s, delivered by the default org's instance, after an upgrade). */
  relays: ReadonlyMap<string, OutboxRelay>;
  metrics: IncidentMetrics;
  /** The first org's Genesys token rotations, told in trunk incidents (a rotation just before a 403 is a clue). */
  rotations: RotationTracker;
  rotationsOf(org: string): RotationTracker;
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
  const connections = config.connections;
  const orgs = connections?.orgs.map((o) => o.name) ?? [DEFAULT_CONNECTION];
  const log = logger.child({ module: 'incidents' });
  const clients =
    deps.servicenow instanceof Map
      ? deps.servicenow
      : new Map([[connections?.orgs[0]?.servicenow ?? DEFAULT_CONNECTION, deps.servicenow as ServiceNowIncidents]]);
  // With a connections file, decisions carry their org and deliveries their instance (docs/design.md, 'Several orgs').
  const named = connections?.fromFile ? { orgs, instances: [...clients.keys()] } : undefined;
  const metrics = new IncidentMetrics(deps.registry, () => stores.outboxDepth(), named);
  // Incidents opened before the connections file (instance `default`, the SERVICENOW_* variables'):
  // with several instances none of their relays claims them, so the default org's instance delivers
  // their updates and resolves, where they were created (the file lists that org and instance first).
  const defaultInstance = connections?.orgs[0]?.servicenow;
  const legacy =
    clients.size > 1 && !clients.has(DEFAULT_CONNECTION) && defaultInstance !== undefined && clients.has(defaultInstance)
      ? [[DEFAULT_CONNECTION, clients.get(defaultInstance)!] as const]
      : [];
  const relays = new Map(
    [...clients, ...legacy].map(([instance, servicenow]) => {
      const relay = new OutboxRelay({
        leaseMs: Math.max(60_000, 3 * config.actionTimeoutMs),
        ...deps.relay,
        // One instance: its relay takes every entry, as before there were several.
        instance: clients.size > 1 ? instance : undefined,
        store: stores,
        servicenow,
        clock,
        logger,
        metrics: { delivery: (operation, outcome, queuedForMs) => metrics.delivery(operation, outcome, queuedForMs, instance) },
      });
      return [instance, relay] as const;
    }),
  );
  const rotations = new Map(orgs.map((org) => [org, new RotationTracker(clock.now())]));
  const rotationsOf = (org: string) => rotations.get(org) ?? rotations.get(orgs[0]!)!;
  // A decision queued a delivery: its instance's relay looks now (waking the others costs one claim each).
  const decisions = new Decisions({ store: stores, logger, metrics, onQueued: () => relays.forEach((r) => r.wake()) });
  const writer = new IncidentWriter(deps.mapping, settings, connections ? createIncidentRouter(connections) : undefined);
  const keys = new SubjectKeys(subjectNames(connections?.fromFile ?? false));
  // A window created or ended here is announced at once (the tick, run now), not at the next tick.
  const maintenance = new MaintenanceWindows({
    store: stores,
    clock,
    orgs,
    keepEndedMs: settings.openAfterMs,
    onChange: () => void (started && tick()),
  });
  const maintenanceReview = new MaintenanceReview({ store: stores, windows: maintenance, clock, decisions, keys });
  const trunks = new TrunkIncidents({
    maintenance,
    store: stores,
    clock,
    decisions,
    writer,
    settings,
    rotations: rotationsOf,
    grouping: settings.groupBy,
    keys,
  });
  const credentials = new Map(
    orgs.map((org) => [
      org,
      new CredentialsIncident({
        org,
        correlationId: keys.names.credentials(org),
        clock,
        logger,
        decisions,
        writer,
        settings,
        decides: deps.isLeader,
      }),
    ]),
  );
  const ticker = new Periodic(
    clock,
    deps.tickMs ?? defaultTickMs(settings),
    async () => {
      // Windows starting and ending first (and the cache refreshed), so the reviews below see them.
      await maintenanceReview
        .review()
        .catch((err: unknown) => log.warn('maintenance window check failed; retrying at the next tick', { err }));
      await trunks.reviewDue();
      for (const c of credentials.values()) await c.review();
    },
    (err) => log.warn('incident tick failed; retrying at the next tick', { err }),
  );
  let started = false;
  function tick(): Promise<void> {
    return ticker.run();
  }
  const first = <T>(m: ReadonlyMap<string, T>): T => m.values().next().value as T;
  return {
    trunks,
    credentials: first(credentials),
    credentialsOf: (org) => {
      const c = credentials.get(org);
      if (!c) throw new Error(`no Genesys org named ${org}`);
      return c;
    },
    maintenance,
    relay: first(relays),
    relays,
    metrics,
    rotations: rotationsOf(orgs[0]!),
    rotationsOf,
    tick,
    start() {
      started = true;
      ticker.start();
      for (const r of relays.values()) r.start();
    },
    async stop(flushMs) {
      started = false;
      await ticker.stop();
      for (const c of credentials.values()) await c.settled();
      await Promise.all([...relays.values()].map((r) => r.stop(flushMs)));
    },
  };
}
