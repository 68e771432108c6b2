import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { CONNECTION_LABEL_NAMES, connectionKey, labelsOf, type ConnectionLabels } from '../meta/connection-labels.js';

type Label = 'upstream' | 'connection';

/**
 * Token refresh metrics, labelled by upstream (genesys | servicenow), outcome, and — with a
 * connections file — `connection` (the org's or instance's name: one broker each).
 */
export class CredentialsMetrics {
  private readonly refreshes: Counter<Label | 'outcome'>;
  private readonly duration: Histogram<Label>;
  private readonly reauths: Counter<Label>;
  private readonly skewGauge: Gauge<Label>;
  private readonly expiryReaders = new Map<string, { labels: ConnectionLabels; read: () => number | undefined }>();

  constructor(registry: Registry) {
    this.refreshes = new Counter({
      name: 'trunkgate_token_refreshes_total',
      help: 'Token refreshes by upstream and outcome',
      labelNames: [...CONNECTION_LABEL_NAMES, 'outcome'],
      registers: [registry],
    });
    this.duration = new Histogram({
      name: 'trunkgate_token_refresh_duration_seconds',
      help: 'Time to obtain and verify a new token',
      labelNames: CONNECTION_LABEL_NAMES,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
      registers: [registry],
    });
    this.reauths = new Counter({
      name: 'trunkgate_token_reauth_retries_total',
      help: 'Upstream calls retried with a fresh token after a 401/403',
      labelNames: CONNECTION_LABEL_NAMES,
      registers: [registry],
    });
    this.skewGauge = new Gauge({
      name: 'trunkgate_token_clock_skew_seconds',
      help: "Upstream clock minus ours, from the token response's Date header",
      labelNames: CONNECTION_LABEL_NAMES,
      registers: [registry],
    });
    const readers = this.expiryReaders;
    new Gauge({
      name: 'trunkgate_token_expiry_seconds',
      help: 'Seconds until the current token expires',
      labelNames: CONNECTION_LABEL_NAMES,
      registers: [registry],
      collect() {
        this.reset();
        for (const { labels, read } of readers.values()) {
          const left = read();
          if (left !== undefined) this.set(labelsOf(labels), Math.round(left * 10) / 10);
        }
      },
    });
  }

  /** `success`: a new token from the token endpoint; `adopted`: a token another replica shared (no request). */
  refreshed(
    labels: string | ConnectionLabels,
    outcome: 'success' | 'adopted' | 'transient_error' | 'permanent_error',
    seconds: number,
  ): void {
    this.refreshes.inc({ ...labelsOf(labels), outcome });
    if (outcome === 'success') this.duration.observe(labelsOf(labels), seconds);
  }

  reauth(labels: string | ConnectionLabels): void {
    this.reauths.inc(labelsOf(labels));
  }

  skew(labels: string | ConnectionLabels, seconds: number): void {
    this.skewGauge.set(labelsOf(labels), seconds);
  }

  /** Called once per token broker: its refresh outcomes start at 0, so the first failure shows in increase(). */
  trackExpiry(labels: string | ConnectionLabels, read: () => number | undefined): void {
    this.expiryReaders.set(connectionKey(labels), { labels: labelsOf(labels), read });
    for (const outcome of ['success', 'adopted', 'transient_error', 'permanent_error'])
      this.refreshes.inc({ ...labelsOf(labels), outcome }, 0);
  }
}
