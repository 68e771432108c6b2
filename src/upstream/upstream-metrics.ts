import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { RateLimitedError } from '../errors/app-error.js';

/**
 * Upstream calls as seen at the edge: one observation per attempt, one count per retry; and the pacing
 * queue in front of them (calls waiting for a slot of the upstream's rate limit, how long, how many gave up).
 */
export class UpstreamMetrics {
  private readonly duration: Histogram<'upstream' | 'operation' | 'outcome'>;
  private readonly retries: Counter<'upstream' | 'reason'>;
  private readonly waiting: Gauge<'upstream'>;
  private readonly waited: Histogram<'upstream'>;
  private readonly refused: Counter<'upstream'>;

  /** `upstreams`: every configured upstream, whose series start at 0. */
  constructor(registry: Registry, upstreams: readonly string[]) {
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
    this.waiting = new Gauge({
      name: 'trunkgate_pacing_waiting_calls',
      help: "Upstream calls waiting for a slot of the upstream's rate limit now (the pacing queue)",
      labelNames: ['upstream'],
      registers: [registry],
    });
    this.waited = new Histogram({
      name: 'trunkgate_pacing_wait_seconds',
      help: 'How long upstream calls that found no free slot waited for one (granted or not)',
      labelNames: ['upstream'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    });
    this.refused = new Counter({
      name: 'trunkgate_pacing_refused_total',
      help: "Upstream calls never sent because no slot came before the action's deadline (answered 429 rate_limited)",
      labelNames: ['upstream'],
      registers: [registry],
    });
    // Every upstream reports from the start, so a panel shows 0 and a rate has a first sample.
    for (const upstream of upstreams) {
      this.waiting.set({ upstream }, 0);
      this.waited.zero({ upstream });
      this.refused.inc({ upstream }, 0);
    }
  }

  /** Counts a call in the pacing queue until `slot` settles. */
  async paced(upstream: string, slot: Promise<void>): Promise<void> {
    const started = performance.now();
    this.waiting.inc({ upstream });
    try {
      await slot;
    } catch (err) {
      if (err instanceof RateLimitedError) this.refused.inc({ upstream });
      throw err;
    } finally {
      this.waiting.dec({ upstream });
      this.waited.observe({ upstream }, (performance.now() - started) / 1000);
    }
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
