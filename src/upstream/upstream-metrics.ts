import { Counter, Histogram, type Registry } from 'prom-client';

/** Upstream calls as seen at the edge: one observation per attempt, one count per retry. */
export class UpstreamMetrics {
  private readonly duration: Histogram<'upstream' | 'operation' | 'outcome'>;
  private readonly retries: Counter<'upstream' | 'reason'>;

  constructor(registry: Registry) {
    this.duration = new Histogram({
      name: 'trunkgate_upstream_request_duration_seconds',
      help: 'Upstream HTTP attempts by upstream, operation and outcome (2xx, 4xx, 5xx, 429, timeout, refused, reset)',
      labelNames: ['upstream', 'operation', 'outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    });
    this.retries = new Counter({
      name: 'trunkgate_upstream_retries_total',
      help: 'Upstream attempts repeated after a 429, 5xx or network failure, by reason',
      labelNames: ['upstream', 'reason'],
      registers: [registry],
    });
  }

  attempt(upstream: string, operation: string, outcome: string, seconds: number): void {
    this.duration.observe({ upstream, operation, outcome }, seconds);
  }

  retry(upstream: string, reason: string): void {
    this.retries.inc({ upstream, reason });
  }
}

/** The outcome label of one attempt: the status class, except 429, or the network failure. */
export function outcomeLabel(status: number | undefined, failure?: string): string {
  if (status === undefined) return failure ?? 'error';
  return status === 429 ? '429' : `${Math.floor(status / 100)}xx`;
}
