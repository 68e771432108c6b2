import { Counter, type Registry } from 'prom-client';

/** `trunkgate_helpdesk_alerts_total{type,outcome}`: helpdesk webhook messages. */
export class AlertMetrics {
  private readonly alerts: Counter<'type' | 'outcome'>;

  constructor(registry: Registry) {
    this.alerts = new Counter({
      name: 'trunkgate_helpdesk_alerts_total',
      help: 'Helpdesk webhook messages, by type (raised, recovered) and outcome',
      labelNames: ['type', 'outcome'],
      registers: [registry],
    });
    // Every series exists from the start at 0 (Prometheus' increase() cannot count a series' first event).
    for (const type of ['raised', 'recovered']) for (const outcome of ['sent', 'failed']) this.alerts.inc({ type, outcome }, 0);
  }

  alert(type: 'raised' | 'recovered', outcome: 'sent' | 'failed'): void {
    this.alerts.inc({ type, outcome });
  }
}
