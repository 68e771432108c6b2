import type { AuditStore } from '../audit/audit-store.js';
import type { Logger } from '../log/logger.js';
import type { MaintenanceStore } from '../maintenance/maintenance-store.js';
import type { Clock } from '../time/clock.js';
import { Periodic } from '../time/periodic.js';
import type { TrunkStore } from '../trunks/trunk-store.js';

export const RETENTION_CHECK_MS = 3_600_000;
const DAY_MS = 86_400_000;

export interface RetentionOptions {
  stores: Pick<TrunkStore, 'pruneTrunkHistory'> & Pick<AuditStore, 'pruneAudit'> & Pick<MaintenanceStore, 'pruneMaintenance'>;
  clock: Clock;
  logger: Logger;
  /** Trunk state changes, processed event ids and maintenance windows that ended longer ago than this are deleted (default 30 days). */
  retentionMs?: number;
  /** Audit entries older than this are deleted (AUDIT_RETENTION_DAYS; default 90 days). */
  auditRetentionMs?: number;
}

/** Deletes history older than its retention period: at start, then hourly (every replica may; deletes are idempotent). */
export function createRetention(o: RetentionOptions): Periodic {
  const log = o.logger.child({ module: 'retention' });
  const retentionMs = o.retentionMs ?? 30 * DAY_MS;
  const auditRetentionMs = o.auditRetentionMs ?? 90 * DAY_MS;
  return new Periodic(
    o.clock,
    RETENTION_CHECK_MS,
    async () => {
      const now = o.clock.now();
      await o.stores.pruneTrunkHistory(now - retentionMs);
      await o.stores.pruneAudit(now - auditRetentionMs);
      await o.stores.pruneMaintenance(now - retentionMs);
    },
    (err) => log.warn('pruning old history failed; retrying in an hour', { err }),
  );
}
