import { episodeStart, NOT_COVERED, type CoveredTrunk, type SubjectCover } from '../maintenance/maintenance-rules.js';
import type { MaintenanceWindow } from '../maintenance/maintenance-store.js';
import type { Clock } from '../time/clock.js';
import type { AfterCommit, TrunkWatch, TrunkWatcher } from '../trunks/trunk-ingest.js';
import type { TrunkRow } from '../trunks/trunk-store.js';
import type { DecisionStores, DecisionTx, Decisions } from './decisions.js';
import type { IncidentRow } from './incident-store.js';
import { decide, type Decision, type RuleSettings } from './incident-rules.js';
import { formatTime } from './incident-format.js';
import type { IncidentKind } from './incident-store.js';
import type { Effect, IncidentWriter } from './incident-writer.js';
import type { RotationTracker } from './rotation-tracker.js';
import { SubjectKeys, type IncidentGrouping, type SubjectKey } from './subjects.js';
import { loadTrunkSubject, type LoadedTrunkSubject, type TrunkSubjectDeps } from './trunk-subject-context.js';

export interface TrunkIncidentsOptions {
  store: DecisionStores;
  clock: Clock;
  decisions: Decisions;
  writer: IncidentWriter;
  settings: RuleSettings;
  /** The Genesys token rotations of each org. */
  rotations: (org: string) => RotationTracker;
  /** What one incident is about (INCIDENT_GROUP_BY): a trunk base (default) or each trunk. */
  grouping?: IncidentGrouping;
  /** How subjects are named (default: the single-org names). */
  keys?: SubjectKeys;
  /** The maintenance windows (in memory: no store query per sighting); none when absent. */
  maintenance?: { cover(failing: readonly CoveredTrunk[], now: number): SubjectCover };
}

/**
 * Incidents about trunks (docs/design.md, "Incidents"): each trunk change is decided on in the
 * transaction that records it (as the trunk ingest's watcher), and `reviewDue` opens incidents for
 * failures that persisted without a new sighting, resolves healthy ones and sends held work notes.
 * A subject is a trunk base, or a trunk (subjects.ts).
 */
export class TrunkIncidents implements TrunkWatcher<DecisionTx> {
  private readonly grouping: IncidentGrouping;
  private readonly keys: SubjectKeys;
  private readonly subjectDeps: TrunkSubjectDeps;

  constructor(private readonly o: TrunkIncidentsOptions) {
    this.grouping = o.grouping ?? 'trunkBase';
    this.keys = o.keys ?? new SubjectKeys();
    this.subjectDeps = { settings: o.settings, rotations: o.rotations, keys: this.keys };
  }

  async watch(tx: DecisionTx, trunk: { org: string; trunkId: string; trunkBaseId: string | null }): Promise<TrunkWatch> {
    const key = await this.keys.ofTrunk(tx, trunk, this.grouping);
    let held: Promise<boolean> | undefined;
    const holdsEpisode = () => (held ??= tx.getOpenIncident(key.correlationId).then((open) => open !== null));
    return {
      holdsEpisode,
      recorded: async (row, { changed, gone, now }): Promise<AfterCommit | null> => {
        // A trunk that is gone matters only to an incident still open about it (to resolve it).
        if (gone && !(await holdsEpisode())) return null;
        const effect = await this.reviewSubject(tx, key, changed, now, row);
        return effect ? () => this.o.decisions.committed(effect) : null;
      },
    };
  }

  /** The time-driven rules for every trunk subject: persisted failures, due resolves, held notes. */
  async reviewDue(): Promise<void> {
    const { store, settings } = this.o;
    const now = this.o.clock.now();
    const due = new Map<string, SubjectKey>();
    for (const trunk of await store.listTrunksDueToOpen(now - settings.openAfterMs)) {
      const key = await this.keys.ofTrunk(store, trunk, this.grouping);
      due.set(key.correlationId, key);
    }
    for (const key of due.values()) await this.reviewByKey(key);
    for (const incident of await store.listOpenIncidents()) {
      const key = this.keys.ofIncident(incident);
      // A transaction only where something is due (a resolve, a held note); the review re-checks inside it.
      if (key && !due.has(key.correlationId) && (await this.dueFor(key, incident, now))) await this.reviewByKey(key);
    }
  }

  /** Whether an open incident's subject has something due now (read outside a transaction). */
  private async dueFor(key: SubjectKey, open: IncidentRow, now: number): Promise<boolean> {
    const subject = await loadTrunkSubject(this.o.store, key, open, { ...this.subjectDeps, now });
    return subject !== null && this.decision(subject, open, null, false, now).type !== 'none';
  }

  private reviewByKey(key: SubjectKey): Promise<void> {
    return this.o.decisions.commit(async (tx) => {
      // A trunk's own review holds its row first, as a sighting of it does.
      const trunk = key.type === 'trunk' ? await tx.getTrunk(key.trunkId, { forUpdate: true }) : undefined;
      if (trunk === null) return null;
      return this.reviewSubject(tx, key, false, this.o.clock.now(), trunk);
    });
  }

  /** Decides about a trunk or trunk-base subject and applies the decision, inside `tx`. */
  private async reviewSubject(tx: DecisionTx, key: SubjectKey, changed: boolean, now: number, trunk?: TrunkRow): Promise<Effect | null> {
    const open = await tx.getOpenIncident(key.correlationId, { forUpdate: true });
    const loaded = await loadTrunkSubject(tx, key, open, { ...this.subjectDeps, now, trunk: key.type === 'trunk' ? trunk : undefined });
    if (!loaded) return null;
    const { subject, cover } = this.underMaintenance(loaded, now);
    // Only a failure without an open incident needs the latest one (to reopen it).
    const latest = open || subject.ctx.now.health !== 'failing' ? null : await tx.getLatestIncident(key.correlationId);
    const decision = this.decision(subject, open, latest, changed, now);
    if (cover.window && (decision.type === 'open' || decision.type === 'reopen'))
      return this.suppress(tx, subject, key, cover.window, decision.kind, now);
    return this.o.writer.apply(tx, subject.ctx, decision, changed, now);
  }

  /**
   * The subject as the maintenance windows make it (docs/design.md, "Maintenance windows"): a failure
   * still present when a window covering it ended counts as failing from that end.
   */
  private underMaintenance(subject: LoadedTrunkSubject, now: number): { subject: LoadedTrunkSubject; cover: SubjectCover } {
    const failing = subject.state.failing;
    const cover = this.o.maintenance && failing.length > 0 ? this.o.maintenance.cover(failing, now) : NOT_COVERED;
    const failingSince = episodeStart(subject.ctx.now.failingSince, cover);
    if (failingSince === subject.ctx.now.failingSince) return { subject, cover };
    return { subject: { ...subject, ctx: { ...subject.ctx, now: { ...subject.ctx.now, failingSince } } }, cover };
  }

  /** A failure the rules would open (or reopen) an incident for, inside a window: audited once per episode. */
  private async suppress(
    tx: DecisionTx,
    subject: LoadedTrunkSubject,
    key: SubjectKey,
    window: MaintenanceWindow,
    kind: IncidentKind,
    now: number,
  ): Promise<null> {
    const episode = subject.ctx.now.failingSince ?? now;
    if (!(await tx.recordMaintenanceSuppression({ windowId: window.id, subject: key.correlationId, episodeStart: episode, at: now })))
      return null;
    const trunkIds = subject.ctx.failingTrunkIds;
    await tx.addAudit({
      at: now,
      subject: key.correlationId,
      incidentId: null,
      kind: 'incident_suppressed',
      org: key.org,
      message: `no ${kind} incident: ${trunkIds.join(', ')} failing since ${formatTime(episode)}, inside maintenance window ${window.id} (until ${formatTime(window.endsAt)}: ${window.reason})`,
      data: { windowId: window.id, trunkId: trunkIds[0] ?? null, trunkIds, kind, failingSince: episode, endsAt: window.endsAt },
    });
    return null;
  }

  /** The rules' decision; an open incident whose trunks Genesys no longer lists is resolved as gone. */
  private decision(
    subject: LoadedTrunkSubject,
    open: IncidentRow | null,
    latest: IncidentRow | null,
    changed: boolean,
    now: number,
  ): Decision {
    if (open && subject.gone) return { type: 'resolve', incident: open, reason: 'gone' };
    return decide({ subject: subject.ctx.now, open, latest, changed, now, settings: this.o.settings });
  }
}
