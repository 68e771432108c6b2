import type { AuditStore } from '../audit/audit-store.js';
import { formatTime } from './incident-facts.js';
import type { IncidentStore } from './incident-store.js';
import type { ClaimedDelivery, OutboxStore } from './outbox-store.js';
import type { RetryPlan } from './retry-plan.js';
import type { DeliveryResult } from './servicenow-delivery.js';

type RecordTx = Pick<OutboxStore, 'completeDelivery' | 'retryDelivery'> &
  Pick<IncidentStore, 'updateIncident'> &
  Pick<AuditStore, 'addAudit'>;

/**
 * Records, in the relay's transaction, that ServiceNow took delivery `d`: the entry completes (false if
 * this relay's lease ran out and another owns it), the incident learns its ServiceNow ids and state,
 * and the answer goes into the audit trail.
 */
export async function recordDelivered(
  tx: RecordTx,
  d: ClaimedDelivery,
  result: DeliveryResult,
  owner: string,
  now: number,
): Promise<boolean> {
  if (!(await tx.completeDelivery(d.id, owner))) return false;
  // Recorded the moment it is known: a later entry of this incident needs the sys_id.
  const inc = d.incident;
  const learned =
    result.outcome !== 'gone' &&
    (inc.sysId !== result.sysId ||
      (result.number !== null && inc.number !== result.number) ||
      (result.servicenowState !== null && inc.servicenowState !== result.servicenowState));
  if (learned)
    await tx.updateIncident(d.incidentId, {
      sysId: result.sysId,
      number: result.number ?? undefined,
      servicenowState: result.servicenowState ?? undefined,
      updatedAt: now,
    });
  await tx.addAudit({
    at: now,
    subject: inc.correlationId,
    incidentId: d.incidentId,
    kind: 'delivery_answered',
    org: inc.org,
    message: result.message,
    data:
      result.outcome === 'gone'
        ? { outcome: result.outcome }
        : { outcome: result.outcome, sysId: result.sysId, number: result.number, state: result.servicenowState },
  });
  return true;
}

/** Records a failed attempt: the entry waits until `retryAt` (in doubt if it may have reached ServiceNow), and the audit says why. */
export async function recordRetry(
  tx: RecordTx,
  d: ClaimedDelivery,
  owner: string,
  r: RetryPlan & { retryAt: number; attempt: number; inDoubt: boolean; now: number },
): Promise<void> {
  await tx.retryDelivery(d.id, owner, { nextAttemptAt: r.retryAt, error: r.reason, inDoubt: r.inDoubt });
  await tx.addAudit({
    at: r.now,
    subject: d.incident.correlationId,
    incidentId: d.incidentId,
    kind: 'delivery_retry',
    org: d.incident.org,
    message: `${r.reason}; next attempt ${formatTime(r.retryAt)}`,
    data: { attempt: r.attempt, retryAt: r.retryAt, pauseAll: r.pauseAll },
  });
}
