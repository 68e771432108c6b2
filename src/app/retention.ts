import type { AuditStore } from '../audit/audit-store.js';
import type { Logger } from '../log/logger.js';
import type { MaintenanceStore } from '../maintenance/maintenance-store.js';
import type { Clock } from '../time/clock.js';
import { Periodic } from '../time/periodic.js';
import type { TrunkStore } from '../trunks/trunk-store.js';

export const RETENTION_CHECK_MS = 3_600_000;

export interface RetentionOptions {
  stores: Pick<TrunkStore, 'pruneTrunkHistory'> & Pick<AuditStore, 'pruneAudit'> & Pick<MaintenanceStore, 'pruneMaintenance'>;
  clock: Clock;
  logger: Logger;
  /** Trunk state changes, processed event ids, audit lines and maintenance windows older than this are deleted (default 30 days). */
  retentionMs?: number;
}

/** Deletes history older than the retention period: at start, then hourly (every replica may; deletes are idempotent). */
export function createRetention(o: RetentionOptions): Periodic {
  const log = o.logger.child({ module: 'retention' });
  const retentionMs = o.retentionMs ?? 30 * 86_400_000;
  return new Periodic(
    o.clock,
    RETENTION_CHECK_MS,
    async () => {
      const before = o.clock.now() - retentionMs;
      await o.stores.pruneTrunkHistory(before);
      await o.stores.pruneAudit(before);
      await o.stores.pruneMaintenance(before);
    },
    (err) => log.warn('pruning old history failed; retrying in an hour', { err }),
  );
}
