import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { incidentKinds, type IncidentKind } from './incident-store.js';
import { outboxOperations, type OutboxOperation } from './outbox-store.js';

const deliveryOutcomes = ['delivered', 'adopted', 'retry', 'gone'] as const;
export type DeliveryOutcome = (typeof deliveryOutcomes)[number];

/** Incident pipeline metrics: bounded labels only (kinds, operations, outcomes). */
export class IncidentMetrics {
  private readonly opened: Counter<'kind'>;
  private readonly reopened: Counter<'kind'>;
  private readonly resolved: Counter<'kind'>;
  private readonly notes: Counter<'outcome'>;
  private readonly deliveries: Counter<'operation' | 'outcome'>;
  private readonly latency: Histogram<'operation'>;

  constructor(registry: Registry, depth: () => Promise<number>) {
    const registers = [registry];
    this.opened = new Counter({
      name: 'trunkgate_incidents_opened_total',
      help: 'Incidents trunkgate decided to open, by kind',
      labelNames: ['kind'],
      registers,
    });
    this.reopened = new Counter({
      name: 'trunkgate_incidents_reopened_total',
      help: 'Resolved incidents reopened by a relapse, by kind',
      labelNames: ['kind'],
      registers,
    });
    this.resolved = new Counter({
      name: 'trunkgate_incidents_resolved_total',
      help: 'Incidents trunkgate decided to resolve, by kind',
      labelNames: ['kind'],
      registers,
    });
    this.notes = new Counter({
      name: 'trunkgate_incident_changes_total',
      help: 'Changes on open incidents: noted now, or held for the next note (throttle)',
      labelNames: ['outcome'],
      registers,
    });
    this.deliveries = new Counter({
      name: 'trunkgate_servicenow_deliveries_total',
      help: 'Outbox deliveries to ServiceNow, by operation and outcome',
      labelNames: ['operation', 'outcome'],
      registers,
    });
    this.latency = new Histogram({
      name: 'trunkgate_servicenow_delivery_seconds',
      help: 'From queuing a delivery to ServiceNow accepting it (retries included), by operation',
      labelNames: ['operation'],
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
    for (const kind of incidentKinds) for (const counter of [this.opened, this.reopened, this.resolved]) counter.inc({ kind }, 0);
    for (const operation of outboxOperations) for (const outcome of deliveryOutcomes) this.deliveries.inc({ operation, outcome }, 0);
  }

  incident(type: 'opened' | 'reopened' | 'resolved', kind: IncidentKind): void {
    (type === 'opened' ? this.opened : type === 'reopened' ? this.reopened : this.resolved).inc({ kind });
  }

  change(outcome: 'noted' | 'held'): void {
    this.notes.inc({ outcome });
  }

  delivery(operation: OutboxOperation, outcome: DeliveryOutcome, queuedForMs?: number): void {
    this.deliveries.inc({ operation, outcome });
    if (queuedForMs !== undefined) this.latency.observe({ operation }, Math.max(0, queuedForMs) / 1000);
  }
}
