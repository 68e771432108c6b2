import type { AuditStore } from '../audit/audit-store.js';
import type { Logger } from '../log/logger.js';
import type { MaintenanceStore } from '../maintenance/maintenance-store.js';
import { retryOnConflict, type Transactional } from '../store/store-set.js';
import type { TrunkStore } from '../trunks/trunk-store.js';
import type { IncidentMetrics } from './incident-metrics.js';
import type { IncidentStore } from './incident-store.js';
import type { Effect } from './incident-writer.js';
import type { OutboxStore } from './outbox-store.js';

/**
 * What deciding about an incident reads and writes, in one transaction: the subject's trunks, its
 * incidents, the outbox entries the decision queues, the audit line that explains it, and the
 * maintenance windows' bookkeeping (a suppressed failure, an announced start or end).
 */
export type DecisionTx = TrunkStore & IncidentStore & OutboxStore & AuditStore & MaintenanceStore;
export type DecisionStores = DecisionTx & Transactional<DecisionTx>;

export interface DecisionsOptions {
  store: DecisionStores;
  logger: Logger;
  metrics: IncidentMetrics;
  /** Called after a commit that queued deliveries (wakes the relay). */
  onQueued?: () => void;
}

/**
 * Commits decisions and reports what they did. Every decision is committed in the same transaction
 * as the state it was made on and the outbox entries it queues; when another replica opened the
 * incident first (the unique index refuses a second open one), it is decided again on what is there.
 */
export class Decisions {
  private readonly log: Logger;

  constructor(private readonly o: DecisionsOptions) {
    this.log = o.logger.child({ module: 'incidents' });
  }

  /** Runs `decide` in a transaction, then reports its effect. */
  async commit(decide: (tx: DecisionTx) => Promise<Effect | null>): Promise<void> {
    const effect = await retryOnConflict(
      () => this.o.store.transaction(decide),
      (err) => this.log.info('another writer opened the incident first; deciding again', { reason: err.message }),
    );
    this.committed(effect);
  }

  /** After the transaction holding `effect` committed: metrics, a log line, and the relay woken. */
  committed(effect: Effect | null): void {
    if (!effect) return;
    if (effect.type === 'opened' || effect.type === 'reopened' || effect.type === 'resolved')
      this.o.metrics.incident(effect.type, effect.kind, effect.org);
    else this.o.metrics.change(effect.type, effect.org);
    if (effect.type !== 'held') this.log.info(`incident ${effect.type}`, { kind: effect.kind, correlationId: effect.correlationId });
    if (effect.queued) this.o.onQueued?.();
  }
}
