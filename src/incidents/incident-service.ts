import type { Logger } from '../log/logger.js';
import { OpenIncidentConflictError, type IncidentRow, type Store, type StoreOps, type TrunkRow } from '../store/store.js';
import type { Clock, Timer } from '../time/clock.js';
import { judgePatch } from '../trunks/judge-patch.js';
import type { TrunkPatch, TrunkSighting, TrunkSightingSink } from '../trunks/trunk-sighting.js';
import { credentialsFacts, sipAnswerText } from './incident-facts.js';
import type { AccessProblem } from './genesys-access.js';
import type { IncidentMapping } from './incident-mapping.js';
import type { IncidentMetrics } from './incident-metrics.js';
import { credentialsNote } from './incident-notes.js';
import { advanceTimers, applySighting, decide, type Decision, type Health, type RuleSettings } from './incident-rules.js';
import { IncidentWriter, type Effect, type SubjectContext } from './incident-writer.js';
import type { RotationTracker } from './rotation-tracker.js';
import { GENESYS_CREDENTIALS_CORRELATION_ID, keyOfIncident, subjectOfTrunk, trunkKey, type IncidentGrouping, type SubjectKey } from './subjects.js';
import { sightingFromEvent, type TrunkEventInput } from './trunk-event.js';
import { loadTrunkSubject, type LoadedTrunkSubject } from './trunk-subject-context.js';

export type IngestOutcome = 'applied' | 'duplicate' | 'stale';

export interface IncidentServiceOptions {
  store: Store;
  clock: Clock;
  logger: Logger;
  metrics: IncidentMetrics;
  mapping: IncidentMapping;
  settings: RuleSettings;
  rotations: RotationTracker;
  /** What one incident is about (INCIDENT_GROUP_BY): a trunk base (default) or each trunk. */
  grouping?: IncidentGrouping;
  /** Called after a commit that queued deliveries (wakes the relay). */
  onQueued?: () => void;
  /** How often persistent failures, resolves and held notes are checked; default from the settings. */
  tickMs?: number;
  /** Trunk events, audit lines and processed event ids older than this are pruned (default 30 days). */
  retentionMs?: number;
  /**
   * Whether this replica decides about the Genesys credentials incident (default: always). Each replica
   * only knows its own broker, so with several of them only the leader decides; otherwise a healthy
   * replica would resolve what a failing one opened, and back again.
   */
  decidesCredentials?: () => boolean;
}

interface CredentialsHealth {
  health: Health;
  failingSince: number | null;
  healthySince: number | null;
  message: string;
  permanent: boolean;
  access?: AccessProblem;
}

const PRUNE_EVERY_MS = 3_600_000;
/** Complete polls in a row that must miss a trunk before it counts as gone. */
const GONE_AFTER_POLLS = 2;
const GONE_TEXT = 'no longer listed by Genesys Cloud';

/**
 * Keeps trunk state and decides about incidents (docs/design.md, "Incidents"). Sightings arrive from
 * the monitor and `POST /v1/events`; a periodic tick opens incidents for failures that persisted
 * without a new sighting, resolves healthy ones and sends held work notes; the Genesys credential
 * broker's failed/recovered events drive the credentials incident. Every decision is committed in
 * the same transaction as the state it was made on and the outbox entries it queues.
 */
export class IncidentService implements TrunkSightingSink {
  private readonly writer: IncidentWriter;
  private readonly log: Logger;
  private readonly tickMs: number;
  private readonly grouping: IncidentGrouping;
  private timer?: Timer;
  private ticking?: Promise<void>;
  private lastPruneAt = 0;
  private credentials: CredentialsHealth;
  private credentialsWork: Promise<void> = Promise.resolve();
  /** Listed trunks missing from the latest complete polls, and in how many of them in a row. */
  private missingFromPolls = new Map<string, number>();

  constructor(private readonly o: IncidentServiceOptions) {
    this.writer = new IncidentWriter(o.mapping, o.settings);
    this.log = o.logger.child({ module: 'incidents' });
    this.grouping = o.grouping ?? 'trunkBase';
    const s = o.settings;
    this.tickMs = o.tickMs ?? Math.min(5_000, Math.max(100, Math.min(s.openAfterMs || Infinity, s.resolveAfterMs || Infinity, s.noteIntervalMs || Infinity) / 5));
    this.credentials = { health: 'healthy', failingSince: null, healthySince: o.clock.now(), message: '', permanent: false };
  }

  async record(sighting: TrunkSighting): Promise<boolean> {
    return (await this.ingest(sighting)).outcome !== 'duplicate';
  }

  async recordPatch(patch: TrunkPatch): Promise<boolean> {
    return (await this.ingest(patch)).outcome !== 'duplicate';
  }

  /** `POST /v1/events`: a validated event body, deduplicated by its event id. */
  ingestEvent(input: TrunkEventInput): Promise<{ outcome: IngestOutcome; trunk: TrunkRow | null }> {
    return this.ingest(sightingFromEvent(input, this.o.clock.now()));
  }

  /**
   * Records a sighting, or a trunk event judged as a patch on the trunk's last known health (unless its
   * event id was seen before or it is older than what we know), and decides about its subject.
   */
  async ingest(input: TrunkSighting | TrunkPatch): Promise<{ outcome: IngestOutcome; trunk: TrunkRow | null }> {
    const result = await this.withConflictRetry(() =>
      this.o.store.transaction(async (tx) => {
        const now = this.o.clock.now();
        const audit = (subject: string, message: string, data: Record<string, unknown> | null = null) => tx.addAudit({ at: now, subject, incidentId: null, step: 'seen', message, data });
        if (input.eventId !== undefined && !(await tx.markEventProcessed(input.eventId, now))) {
          await audit(trunkKey(input.trunkId).correlationId, `event ${input.eventId} was already processed: ignored`);
          return { outcome: 'duplicate' as const, trunk: await tx.getTrunk(input.trunkId), effect: null };
        }
        const prev = await tx.getTrunk(input.trunkId, { forUpdate: true });
        const s = 'body' in input ? judgePatch(input, prev?.health ?? null) : input;
        // Never ahead of our clock (a sender's skew), and our clock when the time is unusable.
        const at = Number.isFinite(s.observedAt) ? Math.min(s.observedAt, now) : now;
        if (prev && at < prev.lastSeenAt) {
          await audit(trunkKey(s.trunkId).correlationId, `${s.source} sighting from ${new Date(at).toISOString()} is older than the last one: ignored`, { state: s.state, eventId: s.eventId ?? null });
          return { outcome: 'stale' as const, trunk: prev, effect: null };
        }
        const key = await subjectOfTrunk(tx, { trunkId: s.trunkId, trunkBaseId: s.trunkBase?.id ?? prev?.trunkBaseId ?? null }, this.grouping);
        const incidentOpen = prev?.failingSince != null && (await tx.getOpenIncident(key.correlationId)) !== null;
        const { row, changed } = applySighting(prev, s, at, this.o.settings.openAfterMs, incidentOpen);
        await tx.upsertTrunk(row);
        if (changed) {
          await tx.addTrunkEvent({ trunkId: row.trunkId, at, state: row.state, previousState: prev?.state ?? null, signal: row.signal, sipCode: row.sipCode, errorText: row.errorText, proxyAddress: row.proxyAddress, source: s.source, eventId: s.eventId ?? null });
          const detail = row.sipCode !== null || row.errorText !== null ? ` (${sipAnswerText(row.sipCode, row.errorText)})` : '';
          await audit(trunkKey(row.trunkId).correlationId, `${prev?.state ?? 'new'} → ${row.state}${detail} via ${s.source}`, { state: row.state, signal: row.signal, sipCode: row.sipCode, source: s.source, eventId: s.eventId ?? null });
        }
        const effect = await this.reviewSubject(tx, key, changed, now, row);
        return { outcome: 'applied' as const, trunk: row, effect };
      }),
    );
    this.o.metrics.sighting(result.outcome);
    this.afterCommit(result.effect);
    return { outcome: result.outcome, trunk: result.trunk };
  }

  /** One pass of the time-driven rules; also runs on its own every `tickMs` once started. */
  async tick(): Promise<void> {
    if (this.ticking) return this.ticking;
    this.ticking = this.runTick().finally(() => (this.ticking = undefined));
    return this.ticking;
  }

  /** trunkgate could not get a Genesys token, or Genesys refuses what it does with one (`access` says which). */
  credentialsFailed(e: { at: number; message: string; permanent: boolean; access?: AccessProblem }): Promise<void> {
    const prev = this.credentials;
    const changed = prev.health !== 'failing' || prev.message !== e.message;
    this.credentials = { ...advanceTimers(prev, 'failing', e.at, this.o.settings.openAfterMs), health: 'failing', message: e.message, permanent: e.permanent, access: e.access };
    return this.queueCredentialsReview(changed);
  }

  /** The broker has a working Genesys token again. */
  credentialsRecovered(at: number): Promise<void> {
    const prev = this.credentials;
    this.credentials = { ...prev, ...advanceTimers(prev, 'healthy', at, this.o.settings.openAfterMs), health: 'healthy' };
    return this.queueCredentialsReview(prev.health !== 'healthy');
  }

  start(): void {
    if (this.timer) return;
    const loop = () => {
      this.timer = this.o.clock.setTimer(this.tickMs, () => {
        void this.tick().finally(() => {
          if (this.timer) loop();
        });
      });
    };
    loop();
  }

  /** Stops the tick and waits for work in progress. */
  async stop(): Promise<void> {
    this.timer?.cancel();
    this.timer = undefined;
    await this.ticking;
    await this.credentialsWork;
  }

  /**
   * After a complete poll: a trunk Genesys no longer lists (deleted, or no longer EXTERNAL) can never
   * be seen healthy again. Once it has been missing from GONE_AFTER_POLLS complete polls in a row (one
   * odd listing is not enough), its state becomes `unknown`, it leaves its trunk base, and an incident
   * of its own is resolved saying so. Trunks last reported by POST /v1/events are left alone.
   */
  async listed(trunkIds: readonly string[]): Promise<void> {
    const present = new Set(trunkIds);
    const missing = new Map<string, number>();
    for (const trunk of await this.o.store.listTrunks()) {
      if (present.has(trunk.trunkId) || trunk.goneAt !== null || trunk.source === 'event') continue;
      const polls = (this.missingFromPolls.get(trunk.trunkId) ?? 0) + 1;
      if (polls < GONE_AFTER_POLLS) missing.set(trunk.trunkId, polls);
      else await this.trunkGone(trunk.trunkId);
    }
    this.missingFromPolls = missing;
  }

  private async runTick(): Promise<void> {
    try {
      const now = this.o.clock.now();
      const due = new Map<string, SubjectKey>();
      for (const trunk of await this.o.store.listTrunksDueToOpen(now - this.o.settings.openAfterMs)) {
        const key = await subjectOfTrunk(this.o.store, trunk, this.grouping);
        due.set(key.correlationId, key);
      }
      for (const key of due.values()) await this.reviewByKey(key);
      for (const incident of await this.o.store.listOpenIncidents()) {
        const key = keyOfIncident(incident);
        // A transaction only where something is due (a resolve, a held note); the review re-checks inside it.
        if (key && !due.has(key.correlationId) && (await this.dueFor(key, incident, now))) await this.reviewByKey(key);
      }
      await this.queueCredentialsReview(false);
      if (now - this.lastPruneAt >= PRUNE_EVERY_MS) {
        this.lastPruneAt = now;
        await this.o.store.prune(now - (this.o.retentionMs ?? 30 * 86_400_000));
      }
    } catch (err) {
      this.log.warn('incident tick failed; retrying at the next tick', { err });
    }
  }

  /** Whether an open incident's subject has something due now (read outside a transaction). */
  private async dueFor(key: SubjectKey, open: IncidentRow, now: number): Promise<boolean> {
    const subject = await loadTrunkSubject(this.o.store, key, open, { ...this.o, now });
    return subject !== null && this.decision(subject, open, null, false, now).type !== 'none';
  }

  private async reviewByKey(key: SubjectKey): Promise<void> {
    const effect = await this.withConflictRetry(() =>
      this.o.store.transaction(async (tx) => {
        // A trunk's own review holds its row first, as a sighting of it does.
        const trunk = key.type === 'trunk' ? await tx.getTrunk(key.trunkId, { forUpdate: true }) : undefined;
        if (trunk === null) return null;
        return this.reviewSubject(tx, key, false, this.o.clock.now(), trunk);
      }),
    );
    this.afterCommit(effect);
  }

  private async trunkGone(trunkId: string): Promise<void> {
    const effect = await this.withConflictRetry(() =>
      this.o.store.transaction(async (tx) => {
        const now = this.o.clock.now();
        const prev = await tx.getTrunk(trunkId, { forUpdate: true });
        // A trunk only ever reported through POST /v1/events may not be one Genesys lists at all.
        if (!prev || prev.goneAt !== null || prev.source === 'event') return null;
        const key = await subjectOfTrunk(tx, prev, this.grouping);
        const gone: TrunkSighting = {
          trunkId, name: null, edge: null, trunkBase: null, proxyAddress: null, state: 'unknown', signal: null, sipCode: null, errorText: GONE_TEXT,
          connected: null, registered: null, stateTime: null, source: 'poll', observedAt: now,
        };
        const open = await tx.getOpenIncident(key.correlationId, { forUpdate: true });
        const row: TrunkRow = { ...applySighting(prev, gone, now, this.o.settings.openAfterMs, open !== null).row, goneAt: now };
        await tx.upsertTrunk(row);
        await tx.addTrunkEvent({ trunkId, at: now, state: row.state, previousState: prev.state, signal: null, sipCode: null, errorText: GONE_TEXT, proxyAddress: row.proxyAddress, source: 'poll', eventId: null });
        await tx.addAudit({ at: now, subject: trunkKey(trunkId).correlationId, incidentId: null, step: 'seen', message: `${prev.state} → unknown: ${GONE_TEXT} (${GONE_AFTER_POLLS} complete polls in a row)`, data: null });
        return open ? this.reviewSubject(tx, key, true, now, row) : null;
      }),
    );
    this.afterCommit(effect);
  }

  /** Decides about a trunk or trunk-base subject and applies the decision, inside `tx`. */
  private async reviewSubject(tx: StoreOps, key: SubjectKey, changed: boolean, now: number, trunk?: TrunkRow): Promise<Effect | null> {
    const open = await tx.getOpenIncident(key.correlationId, { forUpdate: true });
    const subject = await loadTrunkSubject(tx, key, open, { ...this.o, now, trunk: key.type === 'trunk' ? trunk : undefined });
    if (!subject) return null;
    // Only a failure without an open incident needs the latest one (to reopen it).
    const latest = open || subject.ctx.now.health !== 'failing' ? null : await tx.getLatestIncident(key.correlationId);
    return this.writer.apply(tx, subject.ctx, this.decision(subject, open, latest, changed, now), changed, now);
  }

  /** The rules' decision; an open incident whose trunks Genesys no longer lists is resolved as gone. */
  private decision(subject: LoadedTrunkSubject, open: IncidentRow | null, latest: IncidentRow | null, changed: boolean, now: number): Decision {
    if (open && subject.gone) return { type: 'resolve', incident: open, reason: 'gone' };
    return decide({ subject: subject.ctx.now, open, latest, changed, now, settings: this.o.settings });
  }

  private queueCredentialsReview(changed: boolean): Promise<void> {
    // One review at a time, in event order; a failed review is logged and retried by the next tick.
    this.credentialsWork = this.credentialsWork.then(async () => {
      if (this.o.decidesCredentials && !this.o.decidesCredentials()) return;
      try {
        const effect = await this.withConflictRetry(() => this.o.store.transaction((tx) => this.reviewCredentials(tx, changed)));
        this.afterCommit(effect);
      } catch (err) {
        this.log.warn('credentials incident review failed; retrying at the next tick', { err });
      }
    });
    return this.credentialsWork;
  }

  private async reviewCredentials(tx: StoreOps, changed: boolean): Promise<Effect | null> {
    const c = this.credentials;
    const now = this.o.clock.now();
    const settings = this.o.settings;
    const ctx: SubjectContext = {
      correlationId: GENESYS_CREDENTIALS_CORRELATION_ID,
      trunkBaseId: null,
      failingTrunkIds: [],
      now: { health: c.health, kind: c.health === 'failing' ? 'credentials_failed' : null, failingSince: c.failingSince, healthySince: c.healthySince },
      facts: () => credentialsFacts({ failingSince: c.failingSince ?? now, healthySince: c.healthySince, message: c.message || 'unknown', permanent: c.permanent, access: c.access }, { ...settings, correlationId: GENESYS_CREDENTIALS_CORRELATION_ID, now }),
      note: async (_t, _i, changes) => credentialsNote({ failing: c.health === 'failing', message: c.message, changes, at: now, resolveAfterMs: settings.resolveAfterMs }),
      relapse: () => `Genesys credentials failing again: ${c.message}`,
    };
    const open = await tx.getOpenIncident(ctx.correlationId, { forUpdate: true });
    const latest = open || ctx.now.health !== 'failing' ? null : await tx.getLatestIncident(ctx.correlationId);
    return this.writer.apply(tx, ctx, decide({ subject: ctx.now, open, latest, changed, now, settings }), changed, now);
  }

  /** The unique index refused a second open incident (another replica got there first): decide again. */
  private async withConflictRetry<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof OpenIncidentConflictError)) throw err;
      this.log.info('another writer opened the incident first; deciding again', { correlationId: err.correlationId });
      return fn();
    }
  }

  private afterCommit(effect: Effect | null): void {
    if (!effect) return;
    if (effect.type === 'opened' || effect.type === 'reopened' || effect.type === 'resolved') this.o.metrics.incident(effect.type, effect.kind);
    else this.o.metrics.change(effect.type);
    if (effect.type !== 'held') this.log.info(`incident ${effect.type}`, { kind: effect.kind, correlationId: effect.correlationId });
    if (effect.queued) this.o.onQueued?.();
  }
}
