import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Token refresh metrics, labelled by upstream (genesys | servicenow) and outcome only. */
export class CredentialsMetrics {
  private readonly refreshes: Counter<'upstream' | 'outcome'>;
  private readonly duration: Histogram<'upstream'>;
  private readonly reauths: Counter<'upstream'>;
  private readonly skewGauge: Gauge<'upstream'>;
  private readonly expiryReaders = new Map<string, () => number | undefined>();

  constructor(registry: Registry) {
    this.refreshes = new Counter({
      name: 'trunkgate_token_refreshes_total',
      help: 'Token refreshes by upstream and outcome',
      labelNames: ['upstream', 'outcome'],
      registers: [registry],
    });
    this.duration = new Histogram({
      name: 'trunkgate_token_refresh_duration_seconds',
      help: 'Time to obtain and verify a new token',
      labelNames: ['upstream'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
      registers: [registry],
    });
    this.reauths = new Counter({
      name: 'trunkgate_token_reauth_retries_total',
      help: 'Upstream calls retried with a fresh token after a 401/403',
      labelNames: ['upstream'],
      registers: [registry],
    });
    this.skewGauge = new Gauge({
      name: 'trunkgate_token_clock_skew_seconds',
      help: "Upstream clock minus ours, from the token response's Date header",
      labelNames: ['upstream'],
      registers: [registry],
    });
    const readers = this.expiryReaders;
    new Gauge({
      name: 'trunkgate_token_expiry_seconds',
      help: 'Seconds until the current token expires',
      labelNames: ['upstream'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [upstream, read] of readers) {
          const left = read();
          if (left !== undefined) this.set({ upstream }, Math.round(left * 10) / 10);
        }
      },
    });
  }

  /** `success`: a new token from the token endpoint; `adopted`: a token another replica shared (no request). */
  refreshed(upstream: string, outcome: 'success' | 'adopted' | 'transient_error' | 'permanent_error', seconds: number): void {
    this.refreshes.inc({ upstream, outcome });
    if (outcome === 'success') this.duration.observe({ upstream }, seconds);
  }

  reauth(upstream: string): void {
    this.reauths.inc({ upstream });
  }

  skew(upstream: string, seconds: number): void {
    this.skewGauge.set({ upstream }, seconds);
  }

  /** Called once per token broker: its upstream's refresh outcomes start at 0, so the first failure shows in increase(). */
  trackExpiry(upstream: string, read: () => number | undefined): void {
    this.expiryReaders.set(upstream, read);
    for (const outcome of ['success', 'adopted', 'transient_error', 'permanent_error']) this.refreshes.inc({ upstream, outcome }, 0);
  }
}
