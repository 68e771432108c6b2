import { Counter, type Registry } from 'prom-client';
import { CONNECTION_LABEL_NAMES, connectionLabels, type ConnectionLabels } from '../meta/connection-labels.js';

export type CacheReadOutcome = 'hit' | 'miss' | 'undecryptable' | 'error';
export type CacheWriteOutcome = 'stored' | 'skipped_expired' | 'error';
export type LockOutcome = 'acquired' | 'contended' | 'error';

type Label = 'upstream' | 'connection' | 'outcome';

/**
 * The labels of a shared token's key: `genesys`, or `genesys:<org>` / `servicenow:<instance>` with a
 * connections file (the broker's store key; configured names never hold a colon).
 */
export function labelsOfTokenKey(key: string): ConnectionLabels {
  const colon = key.indexOf(':');
  return colon < 0 ? connectionLabels(key) : connectionLabels(key.slice(0, colon), key.slice(colon + 1));
}

/** Shared token cache and refresh lock metrics (Redis), labelled by upstream, connection (with a connections file) and outcome. */
export class TokenCacheMetrics {
  private readonly reads: Counter<Label>;
  private readonly writes: Counter<Label>;
  private readonly locks: Counter<Label>;

  constructor(registry: Registry) {
    this.reads = new Counter({
      name: 'trunkgate_token_cache_reads_total',
      help: 'Shared token cache reads by outcome (hit, miss, undecryptable, error)',
      labelNames: [...CONNECTION_LABEL_NAMES, 'outcome'],
      registers: [registry],
    });
    this.writes = new Counter({
      name: 'trunkgate_token_cache_writes_total',
      help: 'Shared token cache writes by outcome (stored, skipped_expired, error)',
      labelNames: [...CONNECTION_LABEL_NAMES, 'outcome'],
      registers: [registry],
    });
    this.locks = new Counter({
      name: 'trunkgate_token_refresh_lock_total',
      help: 'Cluster refresh lock attempts by outcome (acquired, contended, error)',
      labelNames: [...CONNECTION_LABEL_NAMES, 'outcome'],
      registers: [registry],
    });
  }

  /** `key`: the shared token's key (`upstream` or `upstream:connection`). */
  read(key: string, outcome: CacheReadOutcome): void {
    this.reads.inc({ ...labelsOfTokenKey(key), outcome });
  }

  write(key: string, outcome: CacheWriteOutcome): void {
    this.writes.inc({ ...labelsOfTokenKey(key), outcome });
  }

  lock(key: string, outcome: LockOutcome): void {
    this.locks.inc({ ...labelsOfTokenKey(key), outcome });
  }
}
