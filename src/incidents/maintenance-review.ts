import { covers, isActive, maintenanceSubject, orgsOf } from '../maintenance/maintenance-rules.js';
import type { MaintenanceScope, MaintenanceWindow } from '../maintenance/maintenance-store.js';
import type { MaintenanceWindows } from '../maintenance/maintenance-windows.js';
import type { Clock } from '../time/clock.js';
import type { DecisionStores, DecisionTx, Decisions } from './decisions.js';
import { formatTime } from './incident-format.js';
import type { IncidentRow } from './incident-store.js';
import type { Effect } from './incident-writer.js';
import type { SubjectKeys } from './subjects.js';

export interface MaintenanceReviewOptions {
  store: DecisionStores;
  windows: MaintenanceWindows;
  clock: Clock;
  decisions: Decisions;
  keys: SubjectKeys;
}

function scopeWords(scope: MaintenanceScope): string {
  const org = scope.org === null ? '' : ` (org ${scope.org})`;
  switch (scope.kind) {
    case 'all':
      return `every trunk${org}`;
    case 'trunk':
      return `trunk ${scope.id}${org}`;
    case 'trunkBase':
      return `the trunks of trunk base ${scope.id}${org}`;
    case 'edge':
      return `the trunks on Edge ${scope.id}${org}`;
  }
}

/**
 * Announces maintenance windows starting and ending (docs/design.md, "Maintenance windows"), on the
 * incident tick, so it happens without a new sighting: an audit entry per org (`maintenance_started`,
 * `maintenance_ended`) and a work note on every open trunk incident the window covers, which stays
 * open. Each announcement is taken in the store first (`markMaintenance…Noted`), so with several
 * replicas it is made once. The tick also refreshes the windows' cache here.
 */
export class MaintenanceReview {
  constructor(private readonly o: MaintenanceReviewOptions) {}

  async review(): Promise<void> {
    const now = this.o.clock.now();
    for (const w of await this.o.windows.refresh()) {
      if (w.startsAt <= now && w.startNotedAt === null) await this.announce(w, 'start');
      if (w.endsAt <= now && w.endNotedAt === null) await this.announce(w, 'end');
    }
  }

  private async announce(seen: MaintenanceWindow, what: 'start' | 'end'): Promise<void> {
    const effects = await this.o.store.transaction(async (tx) => {
      const now = this.o.clock.now();
      // As it is now (ended early by another replica since the cache was loaded, say).
      const w = (await tx.getMaintenanceWindow(seen.id)) ?? seen;
      const taken = what === 'start' ? await tx.markMaintenanceStartNoted(w.id, now) : await tx.markMaintenanceEndNoted(w.id, now);
      // A window cancelled before it started never started: its end says so.
      const cancelled = w.endsAt <= w.startsAt;
      if (!taken || (what === 'start' && cancelled)) return [];
      // A window over before its start was announced: nothing to tell the incidents.
      const told = what === 'start' ? isActive(w, now) : w.startNotedAt !== null && w.startNotedAt < w.endsAt;
      const message =
        what === 'start'
          ? `maintenance window started: ${scopeWords(w.scope)} until ${formatTime(w.endsAt)} (${w.reason}; by ${w.createdBy})`
          : cancelled
            ? `maintenance window cancelled before it started: ${scopeWords(w.scope)} (${w.reason}; by ${w.createdBy})`
            : `maintenance window ended at ${formatTime(w.endsAt)}: ${scopeWords(w.scope)} (${w.reason}; by ${w.createdBy})`;
      for (const org of orgsOf(w.scope, this.o.windows.orgs))
        await tx.addAudit({
          at: now,
          subject: maintenanceSubject(w.id),
          incidentId: null,
          kind: what === 'start' ? 'maintenance_started' : 'maintenance_ended',
          org,
          message,
          data: { windowId: w.id, startsAt: w.startsAt, endsAt: w.endsAt, reason: w.reason, createdBy: w.createdBy },
        });
      if (!told) return [];
      const effects: Effect[] = [];
      for (const incident of await tx.listOpenIncidents()) {
        if (!(await this.coversIncident(tx, w, incident))) continue;
        const text =
          what === 'start'
            ? `Maintenance window ${w.id} started: ${scopeWords(w.scope)}, until ${formatTime(w.endsAt)} (${w.reason}; created by ${w.createdBy}). This incident stays open; new failures it covers open no incident until the window ends.`
            : `Maintenance window ${w.id} ended at ${formatTime(w.endsAt)} (${w.reason}). Failures are handled as usual again.`;
        await tx.enqueueDelivery({ incidentId: incident.id, operation: 'note', payload: { fields: { work_notes: text } }, at: now });
        await tx.addAudit({
          at: now,
          subject: incident.correlationId,
          incidentId: incident.id,
          kind: 'incident_noted',
          org: incident.org,
          message: `work note: maintenance window ${w.id} ${what === 'start' ? 'started' : 'ended'}`,
          data: { windowId: w.id },
        });
        effects.push({ type: 'noted', kind: incident.kind, correlationId: incident.correlationId, org: incident.org, queued: true });
      }
      return effects;
    });
    for (const effect of effects) this.o.decisions.committed(effect);
  }

  /** A trunk incident (not a credentials one) any of whose trunks the window covers. */
  private async coversIncident(tx: DecisionTx, w: MaintenanceWindow, incident: IncidentRow): Promise<boolean> {
    if (this.o.keys.ofIncident(incident) === null) return false;
    if (w.scope.org !== null && w.scope.org !== incident.org) return false;
    if (w.scope.kind === 'all') return true;
    if (w.scope.kind === 'trunkBase' && incident.trunkBaseId === w.scope.id) return true;
    for (const trunkId of await tx.listIncidentTrunks(incident.id)) {
      const trunk = await tx.getTrunk(trunkId);
      if (covers(w.scope, trunk ?? { org: incident.org, trunkId, trunkBaseId: null, edgeId: null })) return true;
    }
    return false;
  }
}
