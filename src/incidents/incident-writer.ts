import type { AuditKind } from '../audit/audit-kinds.js';
import { randomUUID } from 'node:crypto';
import type { IncidentKind, IncidentRow } from './incident-store.js';
import type { DecisionTx } from './decisions.js';
import type { IncidentFacts } from './incident-facts.js';
import { formatDuration, formatTime } from './incident-facts.js';
import type { IncidentMapping } from './incident-mapping.js';
import { reopenNote } from './incident-notes.js';
import type { Decision, RuleSettings, SubjectNow } from './incident-rules.js';
import { defaultRouter, type IncidentRouter } from './incident-router.js';
import type { RouteSubject } from '../config/route-match.js';

export { GENESYS_CREDENTIALS_CORRELATION_ID } from './subjects.js';

/** ServiceNow incident states trunkgate sets (docs/servicenow.md, "Incident fields and states"). */
export const SN_STATE = { inProgress: '2', resolved: '6' } as const;

/** One watched subject as the writer needs it: its key, its state now, and how to describe it. */
export interface SubjectContext {
  correlationId: string;
  /** What the routes are matched against: the org, and the trunk the failure is about (its lead). */
  route: RouteSubject;
  /** The trunk base of a trunk-base incident. */
  trunkBaseId: string | null;
  /** The trunks the subject's failure concerns now (its failing trunks); none for credentials. */
  failingTrunkIds: string[];
  now: SubjectNow;
  facts(kind: IncidentKind): IncidentFacts;
  /** A work note telling `changes` changes since the incident's last note. */
  note(tx: DecisionTx, incident: IncidentRow, changes: number): Promise<string>;
  /** The failure in one phrase ("registration rejected (SIP 403 Forbidden) at proxy …"). */
  relapse(): string;
}

/** What a committed decision did, for metrics and to wake the relay. */
export interface Effect {
  type: 'opened' | 'reopened' | 'noted' | 'held' | 'resolved';
  kind: IncidentKind;
  correlationId: string;
  /** The org the subject belongs to (a metric label with a connections file). */
  org: string;
  queued: boolean;
}

/** Turns a decision into incident rows, outbox entries and audit lines, inside the caller's transaction. */
export class IncidentWriter {
  constructor(
    private readonly mapping: IncidentMapping,
    private readonly settings: RuleSettings,
    private readonly router: IncidentRouter = defaultRouter,
  ) {}

  /** incident.yaml's fields, then the matching route's (they override), then the correlation id. */
  private createFields(ctx: SubjectContext, kind: IncidentKind): Record<string, unknown> {
    return {
      ...this.mapping.createFields(kind, ctx.facts(kind)),
      ...this.router(ctx.route).fields,
      correlation_id: ctx.correlationId,
      correlation_display: 'trunkgate',
    };
  }

  async apply(tx: DecisionTx, ctx: SubjectContext, decision: Decision, changed: boolean, at: number): Promise<Effect | null> {
    const audit = (kind: AuditKind, incidentId: string, message: string, data: Record<string, unknown> | null = null) =>
      tx.addAudit({ at, subject: ctx.correlationId, incidentId, kind, org: ctx.route.org, message, data });
    switch (decision.type) {
      case 'none':
        return null;
      case 'open': {
        const id = randomUUID();
        await tx.insertIncident({
          id,
          correlationId: ctx.correlationId,
          trunkId: ctx.failingTrunkIds[0] ?? null,
          trunkBaseId: ctx.trunkBaseId,
          kind: decision.kind,
          open: true,
          openedAt: at,
          resolvedAt: null,
          reopenedAt: null,
          reopenCount: 0,
          sysId: null,
          number: null,
          servicenowState: null,
          lastNoteAt: at,
          changesSinceNote: 0,
          updatedAt: at,
          org: ctx.route.org,
          // Chosen once, when it opens: its updates and resolve go where it was created.
          servicenowInstance: this.router(ctx.route).instance,
        });
        await tx.addIncidentTrunks(id, ctx.failingTrunkIds, at);
        await tx.enqueueDelivery({ incidentId: id, operation: 'create', payload: { fields: this.createFields(ctx, decision.kind) }, at });
        const failingFor = ctx.now.failingSince === null ? 0 : at - ctx.now.failingSince;
        await audit(
          'incident_opened',
          id,
          `open a ${decision.kind} incident: failing since ${formatTime(ctx.now.failingSince ?? at)} (${formatDuration(failingFor)}, INCIDENT_OPEN_AFTER_MS ${this.settings.openAfterMs})`,
          { kind: decision.kind, failingSince: ctx.now.failingSince },
        );
        return { type: 'opened', kind: decision.kind, correlationId: ctx.correlationId, org: ctx.route.org, queued: true };
      }
      case 'reopen': {
        const inc = decision.incident;
        await tx.updateIncident(inc.id, {
          open: true,
          kind: decision.kind,
          resolvedAt: null,
          reopenedAt: at,
          reopenCount: inc.reopenCount + 1,
          lastNoteAt: at,
          changesSinceNote: 0,
          updatedAt: at,
        });
        await tx.addIncidentTrunks(inc.id, ctx.failingTrunkIds, at);
        const note = reopenNote({
          what: ctx.relapse(),
          resolvedAt: inc.resolvedAt!,
          failedAt: Math.max(inc.resolvedAt!, ctx.now.failingSince ?? at),
          reopenWindowMs: this.settings.reopenWindowMs,
        });
        // createFields: if ServiceNow closed or lost the incident meanwhile, the relay opens a new one instead.
        await tx.enqueueDelivery({
          incidentId: inc.id,
          operation: 'reopen',
          payload: { fields: { state: SN_STATE.inProgress, work_notes: note }, createFields: this.createFields(ctx, decision.kind) },
          at,
        });
        await audit(
          'incident_reopened',
          inc.id,
          `reopen ${inc.number ?? 'the incident'}: failing again ${formatDuration(at - inc.resolvedAt!)} after it was resolved (INCIDENT_REOPEN_WINDOW_MS ${this.settings.reopenWindowMs})`,
          { kind: decision.kind },
        );
        return { type: 'reopened', kind: decision.kind, correlationId: ctx.correlationId, org: ctx.route.org, queued: true };
      }
      case 'note': {
        const inc = decision.incident;
        const changes = inc.changesSinceNote + (changed ? 1 : 0);
        // Another Edge of the carrier failing later joins the incident (and is told in this note).
        await tx.addIncidentTrunks(inc.id, ctx.failingTrunkIds, at);
        const text = await ctx.note(tx, inc, changes);
        await tx.updateIncident(inc.id, { lastNoteAt: at, changesSinceNote: 0, updatedAt: at });
        await tx.enqueueDelivery({ incidentId: inc.id, operation: 'note', payload: { fields: { work_notes: text } }, at });
        await audit('incident_noted', inc.id, `work note on ${changes} change(s)`, { changes });
        return { type: 'noted', kind: inc.kind, correlationId: ctx.correlationId, org: ctx.route.org, queued: true };
      }
      case 'hold': {
        const inc = decision.incident;
        await tx.updateIncident(inc.id, { changesSinceNote: inc.changesSinceNote + 1, updatedAt: at });
        await tx.addIncidentTrunks(inc.id, ctx.failingTrunkIds, at);
        const nextAt = (inc.lastNoteAt ?? at) + this.settings.noteIntervalMs;
        await audit(
          'incident_note_held',
          inc.id,
          `change held for the next work note (at most one per ${formatDuration(this.settings.noteIntervalMs)}; due ${formatTime(nextAt)})`,
          { changes: inc.changesSinceNote + 1 },
        );
        return { type: 'held', kind: inc.kind, correlationId: ctx.correlationId, org: ctx.route.org, queued: false };
      }
      case 'resolve': {
        const inc = decision.incident;
        await tx.updateIncident(inc.id, { open: false, resolvedAt: at, changesSinceNote: 0, lastNoteAt: at, updatedAt: at });
        await tx.enqueueDelivery({
          incidentId: inc.id,
          operation: 'resolve',
          payload: { fields: { state: SN_STATE.resolved, ...this.mapping.resolveFields(ctx.facts(inc.kind), decision.reason) } },
          at,
        });
        if (decision.reason === 'gone')
          await audit(
            'incident_resolved',
            inc.id,
            'resolve: the trunk is no longer listed by Genesys Cloud (deleted, or no longer an EXTERNAL trunk)',
            {
              reason: 'gone',
            },
          );
        else
          await audit(
            'incident_resolved',
            inc.id,
            `resolve: healthy since ${formatTime(ctx.now.healthySince ?? at)} (INCIDENT_RESOLVE_AFTER_MS ${this.settings.resolveAfterMs})`,
            { healthySince: ctx.now.healthySince },
          );
        return { type: 'resolved', kind: inc.kind, correlationId: ctx.correlationId, org: ctx.route.org, queued: true };
      }
    }
  }
}
