import { Counter, Gauge, type Registry } from 'prom-client';
import { CONNECTION_LABEL_NAMES, labelsOf, type ConnectionLabels } from '../meta/connection-labels.js';

/**
 * Where each upstream connection's calls are paced: the bucket shared through Redis, or this replica's
 * fallback. Labelled by upstream, and by `connection` with a connections file (one budget per org and instance).
 */
export class LimiterMetrics {
  private readonly sharedGauge: Gauge<'upstream' | 'connection'>;
  private readonly local: Counter<'upstream' | 'connection'>;

  constructor(registry: Registry) {
    this.sharedGauge = new Gauge({
      name: 'trunkgate_limiter_shared',
      help: "1 while the upstream's calls are paced on the budget shared by all replicas (Redis), 0 while on this replica's local share",
      labelNames: CONNECTION_LABEL_NAMES,
      registers: [registry],
    });
    this.local = new Counter({
      name: 'trunkgate_limiter_local_slots_total',
      help: "Call slots granted by this replica's local fallback limiter because Redis could not be reached",
      labelNames: CONNECTION_LABEL_NAMES,
      registers: [registry],
    });
  }

  /** `limiter`: a limiter's options (its upstream and, with a connections file, its connection). */
  shared(limiter: string | ConnectionLabels, shared: boolean): void {
    this.sharedGauge.set(labelsOf(limiter), shared ? 1 : 0);
  }

  localSlots(limiter: string | ConnectionLabels, weight: number): void {
    this.local.inc(labelsOf(limiter), weight);
  }
}
