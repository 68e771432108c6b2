import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { RateLimitedError } from '../errors/app-error.js';
import { CONNECTION_LABEL_NAMES, labelsOf, type ConnectionLabels } from '../meta/connection-labels.js';

type Label = 'upstream' | 'connection';

/**
 * Upstream calls as seen at the edge: one observation per attempt, one count per retry; and the pacing
 * queue in front of them (calls waiting for a slot of the upstream's rate limit, how long, how many gave up).
 * Labelled by upstream and, with a connections file, by `connection` (each org and instance has its own
 * credentials and budget).
 */
export class UpstreamMetrics {
  private readonly duration: Histogram<Label | 'operation' | 'outcome'>;
  private readonly retries: Counter<Label | 'reason'>;
  private readonly waiting: Gauge<Label>;
  private readonly waited: Histogram<Label>;
  private readonly refused: Counter<Label>;

  /** `upstreams`: every configured upstream (a name, or its connection's labels), whose series start at 0. */
  constructor(registry: Registry, upstreams: ReadonlyArray<string | ConnectionLabels>) {
    this.duration = new Histogram({
      name: 'trunkgate_upstream_request_duration_seconds',
      help: 'Upstream HTTP attempts by upstream, operation and outcome (2xx, 4xx, 5xx, 429, timeout, refused, reset)',
      labelNames: [...CONNECTION_LABEL_NAMES, 'operation', 'outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    });
    this.retries = new Counter({
      name: 'trunkgate_upstream_retries_total',
      help: 'Upstream attempts repeated after a 429, 5xx or network failure, by reason',
      labelNames: [...CONNECTION_LABEL_NAMES, 'reason'],
      registers: [registry],
    });
    this.waiting = new Gauge({
      name: 'trunkgate_pacing_waiting_calls',
      help: "Upstream calls waiting for a slot of the upstream's rate limit now (the pacing queue)",
      labelNames: CONNECTION_LABEL_NAMES,
      registers: [registry],
    });
    this.waited = new Histogram({
      name: 'trunkgate_pacing_wait_seconds',
      help: 'How long upstream calls that found no free slot waited for one (granted or not)',
      labelNames: CONNECTION_LABEL_NAMES,
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    });
    this.refused = new Counter({
      name: 'trunkgate_pacing_refused_total',
      help: "Upstream calls never sent because no slot came before the action's deadline (answered 429 rate_limited)",
      labelNames: CONNECTION_LABEL_NAMES,
      registers: [registry],
    });
    // Every upstream reports from the start, so a panel shows 0 and a rate has a first sample.
    for (const each of upstreams) {
      const labels = labelsOf(each);
      this.waiting.set(labels, 0);
      this.waited.zero(labels);
      this.refused.inc(labels, 0);
    }
  }

  /** Counts a call in the pacing queue until `slot` settles. `source`: the caller's upstream and connection. */
  async paced(source: string | ConnectionLabels, slot: Promise<void>): Promise<void> {
    const labels = labelsOf(source);
    const started = performance.now();
    this.waiting.inc(labels);
    try {
      await slot;
    } catch (err) {
      if (err instanceof RateLimitedError) this.refused.inc(labels);
      throw err;
    } finally {
      this.waiting.dec(labels);
      this.waited.observe(labels, (performance.now() - started) / 1000);
    }
  }

  attempt(source: string | ConnectionLabels, operation: string, outcome: string, seconds: number): void {
    this.duration.observe({ ...labelsOf(source), operation, outcome }, seconds);
  }

  retry(source: string | ConnectionLabels, reason: string): void {
    this.retries.inc({ ...labelsOf(source), reason });
  }
}

/** The outcome label of one attempt: the status class, except 429, or the network failure. */
export function outcomeLabel(status: number | undefined, failure?: string): string {
  if (status === undefined) return failure ?? 'error';
  return status === 429 ? '429' : `${Math.floor(status / 100)}xx`;
}
