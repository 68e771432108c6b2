import { Counter, type Registry } from 'prom-client';

export type CacheReadOutcome = 'hit' | 'miss' | 'undecryptable' | 'error';
export type CacheWriteOutcome = 'stored' | 'skipped_expired' | 'error';
export type LockOutcome = 'acquired' | 'contended' | 'error';

/** Shared token cache and refresh lock metrics (Redis), labelled by upstream and outcome only. */
export class TokenCacheMetrics {
  private readonly reads: Counter<'upstream' | 'outcome'>;
  private readonly writes: Counter<'upstream' | 'outcome'>;
  private readonly locks: Counter<'upstream' | 'outcome'>;

  constructor(registry: Registry) {
    this.reads = new Counter({
      name: 'trunkgate_token_cache_reads_total',
      help: 'Shared token cache reads by outcome (hit, miss, undecryptable, error)',
      labelNames: ['upstream', 'outcome'],
      registers: [registry],
    });
    this.writes = new Counter({
      name: 'trunkgate_token_cache_writes_total',
      help: 'Shared token cache writes by outcome (stored, skipped_expired, error)',
      labelNames: ['upstream', 'outcome'],
      registers: [registry],
    });
    this.locks = new Counter({
      name: 'trunkgate_token_refresh_lock_total',
      help: 'Cluster refresh lock attempts by outcome (acquired, contended, error)',
      labelNames: ['upstream', 'outcome'],
      registers: [registry],
    });
  }

  read(upstream: string, outcome: CacheReadOutcome): void {
    this.reads.inc({ upstream, outcome });
  }

  write(upstream: string, outcome: CacheWriteOutcome): void {
    this.writes.inc({ upstream, outcome });
  }

  lock(upstream: string, outcome: LockOutcome): void {
    this.locks.inc({ upstream, outcome });
  }
}
