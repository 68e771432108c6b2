import type { AuditEntry, AuditStore } from '../audit/audit-store.js';
import { AuditQueries } from '../audit/audit-views.js';
import type { LeaderLease, LeadershipEvent } from '../cluster/leader-lease.js';
import type { CredentialsTrail, TokenRefreshFailure, TokenRotation } from '../credentials/credentials-trail.js';
import type { IncidentStore } from '../incidents/incident-store.js';
import type { Logger } from '../log/logger.js';
import { subjectNames } from '../trunks/subject-names.js';

/** The audit views over the stores: entries, and the incidents they are about, looked up a page at a time. */
export function auditQueries(stores: Pick<AuditStore, 'listAudit'> & Pick<IncidentStore, 'getIncidentsByIds' | 'findIncidentIds'>) {
  return new AuditQueries({
    store: stores,
    incidents: { byIds: (ids) => stores.getIncidentsByIds(ids), find: (ref) => stores.findIncidentIds(ref) },
  });
}

/**
 * Records what happens outside a decision's transaction (token rotations, leadership): each entry on
 * its own, never in the way of what it records — a failed write is logged, not thrown. `flush` waits
 * for the writes under way (before the store closes).
 */
export class AuditRecorder {
  private readonly pending = new Set<Promise<void>>();
  private readonly log: Logger;

  constructor(
    private readonly store: Pick<AuditStore, 'addAudit'>,
    logger: Logger,
  ) {
    this.log = logger.child({ module: 'audit' });
  }

  record(entry: AuditEntry): void {
    const write = this.store
      .addAudit(entry)
      .catch((err: unknown) => void this.log.warn('could not record an audit entry', { err, kind: entry.kind, subject: entry.subject }))
      .finally(() => this.pending.delete(write));
    this.pending.add(write);
  }

  async flush(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }
}

const iso = (at: number | undefined) => (at === undefined ? null : new Date(at).toISOString());

/**
 * The audit subject of a connection's credentials: a Genesys org's is its credentials incident's
 * correlation id (so `?subject=` finds both); a ServiceNow instance's is
 * `trunkgate:credentials:servicenow` (with several instances, `…:servicenow:<instance>`).
 */
export function credentialsSubject(upstream: 'genesys' | 'servicenow', connection: string, perOrg: boolean): string {
  if (upstream === 'genesys') return subjectNames(perOrg).credentials(connection);
  return perOrg ? `trunkgate:credentials:servicenow:${connection}` : 'trunkgate:credentials:servicenow';
}

/** A broker's trail into the audit: `token_rotated` and `token_refresh_failed`, with the org (Genesys) and the connection. */
export function credentialsTrail(
  recorder: AuditRecorder,
  o: { upstream: 'genesys' | 'servicenow'; connection: string; perOrg: boolean },
): CredentialsTrail {
  const subject = credentialsSubject(o.upstream, o.connection, o.perOrg);
  const org = o.upstream === 'genesys' ? o.connection : null;
  const whose = o.perOrg ? `${o.upstream} token (${o.connection})` : `${o.upstream} token`;
  const base = { subject, incidentId: null, org };
  return {
    rotated: (e: TokenRotation) => {
      const verified = e.verified ? `verified${e.propagationMs === undefined ? '' : ` after ${e.propagationMs} ms`}` : 'not verified';
      recorder.record({
        ...base,
        at: e.at,
        kind: 'token_rotated',
        message: `${whose} ${e.previousExpiresAt === undefined ? 'obtained' : 'rotated'} (${verified}); expires ${iso(e.expiresAt)}`,
        data: {
          upstream: o.upstream,
          connection: o.connection,
          verified: e.verified,
          propagationMs: e.propagationMs ?? null,
          expiresAt: iso(e.expiresAt),
          previousExpiresAt: iso(e.previousExpiresAt),
        },
      });
    },
    refreshFailed: (e: TokenRefreshFailure) => {
      const what = e.permanent ? 'credentials refused' : 'refresh failed';
      const serving = e.stillServing ? 'the previous token is still served' : 'no usable token meanwhile';
      recorder.record({
        ...base,
        at: e.at,
        kind: 'token_refresh_failed',
        message: `${whose}: ${what} (attempt ${e.attempt}): ${e.message}; next attempt in ${Math.ceil(e.retryInMs / 1000)} s, ${serving}`,
        data: {
          upstream: o.upstream,
          connection: o.connection,
          permanent: e.permanent,
          attempt: e.attempt,
          retryInMs: e.retryInMs,
          stillServing: e.stillServing,
          error: e.message,
        },
      });
    },
  };
}

/** `leadership_changed` whenever this replica becomes, or stops being, the leader of the lease. */
export function recordLeadership(lease: LeaderLease, recorder: AuditRecorder): void {
  const entry = (e: LeadershipEvent, leader: boolean): AuditEntry => {
    const owner = lease.snapshot().owner;
    return {
      at: e.at,
      subject: `trunkgate:leader:${e.lease}`,
      incidentId: null,
      kind: 'leadership_changed',
      org: null,
      message: `replica ${owner} ${leader ? 'became' : 'is no longer'} the leader of ${e.lease}: ${e.reason}`,
      data: { lease: e.lease, owner, leader, reason: e.reason },
    };
  };
  lease.on('elected', (e) => recorder.record(entry(e, true)));
  lease.on('revoked', (e) => recorder.record(entry(e, false)));
}
