import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { incidentKinds, type IncidentKind } from './incident-store.js';
import { outboxOperations, type OutboxOperation } from './outbox-store.js';

const deliveryOutcomes = ['delivered', 'adopted', 'retry', 'gone'] as const;
export type DeliveryOutcome = (typeof deliveryOutcomes)[number];

/** With a connections file: the configured names, which then label the series (docs/design.md, 'Several orgs'). */
export interface IncidentMetricsLabels {
  /** The Genesys orgs: incident decisions carry `org`. */
  orgs: readonly string[];
  /** The ServiceNow instances: deliveries carry `connection` (the instance), as the upstream metrics do. */
  instances: readonly string[];
}

/**
 * Incident pipeline metrics: bounded labels only (kinds, operations, outcomes; with a connections file
 * the configured org and instance names). Without one the series have exactly the labels they always had.
 */
export class IncidentMetrics {
  private readonly opened: Counter<string>;
  private readonly reopened: Counter<string>;
  private readonly resolved: Counter<string>;
  private readonly notes: Counter<string>;
  private readonly deliveries: Counter<string>;
  private readonly latency: Histogram<string>;
  private readonly named: boolean;

  constructor(registry: Registry, depth: () => Promise<number>, labels?: IncidentMetricsLabels) {
    const registers = [registry];
    this.named = labels !== undefined;
    const org = this.named ? ['org'] : [];
    const connection = this.named ? ['connection'] : [];
    this.opened = new Counter({
      name: 'trunkgate_incidents_opened_total',
      help: 'Incidents trunkgate decided to open, by kind',
      labelNames: ['kind', ...org],
      registers,
    });
    this.reopened = new Counter({
      name: 'trunkgate_incidents_reopened_total',
      help: 'Resolved incidents reopened by a relapse, by kind',
      labelNames: ['kind', ...org],
      registers,
    });
    this.resolved = new Counter({
      name: 'trunkgate_incidents_resolved_total',
      help: 'Incidents trunkgate decided to resolve, by kind',
      labelNames: ['kind', ...org],
      registers,
    });
    this.notes = new Counter({
      name: 'trunkgate_incident_changes_total',
      help: 'Changes on open incidents: noted now, or held for the next note (throttle)',
      labelNames: ['outcome', ...org],
      registers,
    });
    this.deliveries = new Counter({
      name: 'trunkgate_servicenow_deliveries_total',
      help: 'Outbox deliveries to ServiceNow, by operation and outcome',
      labelNames: ['operation', 'outcome', ...connection],
      registers,
    });
    this.latency = new Histogram({
      name: 'trunkgate_servicenow_delivery_seconds',
      help: 'From queuing a delivery to ServiceNow accepting it (retries included), by operation',
      labelNames: ['operation', ...connection],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
      registers,
    });
    new Gauge({
      name: 'trunkgate_outbox_depth',
      help: 'ServiceNow deliveries waiting in the outbox',
      registers,
      async collect() {
        try {
          this.set(await depth());
        } catch {
          // A closed or unreachable store leaves the last value; readiness reports the store.
        }
      },
    });
    // Every series an alert or a panel reads exists from the start at 0: Prometheus' increase() cannot
    // count the first event of a series that appears with it.
    const orgs = labels ? labels.orgs.map((o) => ({ org: o })) : [{}];
    const instances = labels ? labels.instances.map((c) => ({ connection: c })) : [{}];
    for (const o of orgs)
      for (const kind of incidentKinds) for (const counter of [this.opened, this.reopened, this.resolved]) counter.inc({ kind, ...o }, 0);
    for (const c of instances)
      for (const operation of outboxOperations)
        for (const outcome of deliveryOutcomes) this.deliveries.inc({ operation, outcome, ...c }, 0);
  }

  /** `org`: the subject's org (a label with a connections file only). */
  incident(type: 'opened' | 'reopened' | 'resolved', kind: IncidentKind, org?: string): void {
    (type === 'opened' ? this.opened : type === 'reopened' ? this.reopened : this.resolved).inc({ kind, ...this.orgOf(org) });
  }

  change(outcome: 'noted' | 'held', org?: string): void {
    this.notes.inc({ outcome, ...this.orgOf(org) });
  }

  /** `instance`: the ServiceNow instance the relay delivers to (a `connection` label with a connections file only). */
  delivery(operation: OutboxOperation, outcome: DeliveryOutcome, queuedForMs?: number, instance?: string): void {
    const c = this.named && instance !== undefined ? { connection: instance } : {};
    this.deliveries.inc({ operation, outcome, ...c });
    if (queuedForMs !== undefined) this.latency.observe({ operation, ...c }, Math.max(0, queuedForMs) / 1000);
  }

  private orgOf(org: string | undefined): { org?: string } {
    return this.named && org !== undefined ? { org } : {};
  }
}
