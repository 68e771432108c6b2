import { Counter, Gauge, type Registry } from 'prom-client';

/** Where each upstream's calls are paced: the bucket shared through Redis, or this replica's fallback. */
export class LimiterMetrics {
  private readonly sharedGauge: Gauge<'upstream'>;
  private readonly local: Counter<'upstream'>;

  constructor(registry: Registry) {
    this.sharedGauge = new Gauge({
      name: 'trunkgate_limiter_shared',
      help: "1 while the upstream's calls are paced on the budget shared by all replicas (Redis), 0 while on this replica's local share",
      labelNames: ['upstream'],
      registers: [registry],
    });
    this.local = new Counter({
      name: 'trunkgate_limiter_local_slots_total',
      help: "Call slots granted by this replica's local fallback limiter because Redis could not be reached",
      labelNames: ['upstream'],
      registers: [registry],
    });
  }

  shared(upstream: string, shared: boolean): void {
    this.sharedGauge.set({ upstream }, shared ? 1 : 0);
  }

  localSlots(upstream: string, weight: number): void {
    this.local.inc({ upstream }, weight);
  }
}
