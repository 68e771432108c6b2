import type { Logger } from '../log/logger.js';
import { OpenIncidentConflictError, type IncidentKind, type Store, type StoreOps, type TrunkRow } from '../store/store.js';
import type { Clock, Timer } from '../time/clock.js';
import type { TrunkSighting, TrunkSightingSink } from '../trunks/trunk-sighting.js';
import { credentialsFacts, sipAnswerText, trunkFacts } from './incident-facts.js';
import type { AccessProblem } from './genesys-access.js';
import type { IncidentMapping } from './incident-mapping.js';
import type { IncidentMetrics } from './incident-metrics.js';
import { credentialsNote, trunkChangeNote, trunkStateWords } from './incident-notes.js';
import { advanceTimers, applySighting, decide, healthOf, kindOf, type Health, type RuleSettings } from './incident-rules.js';
import { GENESYS_CREDENTIALS_CORRELATION_ID, IncidentWriter, trunkCorrelationId, type Effect, type SubjectContext } from './incident-writer.js';
import type { RotationTracker } from './rotation-tracker.js';
import { sightingFromEvent, type TrunkEventInput } from './trunk-event.js';

export type IngestOutcome = 'applied' | 'duplicate' | 'stale';

export interface IncidentServiceOptions {
  store: Store;
  clock: Clock;
  logger: Logger;
  metrics: IncidentMetrics;
  mapping: IncidentMapping;
  settings: RuleSettings;
  rotations: RotationTracker;
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
/** Complete polls in a row that must miss a trunk before its open incident is resolved as gone. */
const GONE_AFTER_POLLS = 2;
const GONE_TEXT = 'no longer listed by Genesys Cloud';

/**
 * Keeps trunk state and decides about incidents (BRIEF §3.5). Sightings arrive from the monitor and
 * `POST /v1/events`; a periodic tick opens incidents for failures that persisted without a new
 * sighting, resolves healthy ones and sends held work notes; the Genesys credential broker's
 * failed/recovered events drive the credentials incident. Every decision is committed in the same
 * transaction as the state it was made on and the outbox entries it queues.
 */
export class IncidentService implements TrunkSightingSink {
  private readonly writer: IncidentWriter;
  private readonly log: Logger;
  private readonly tickMs: number;
  private readonly startedAt: number;
  private timer?: Timer;
  private ticking?: Promise<void>;
  private lastPruneAt = 0;
  private credentials: CredentialsHealth;
  private credentialsWork: Promise<void> = Promise.resolve();
  /** Trunks with an open incident, and how many complete polls in a row have not listed them. */
  private missingFromPolls = new Map<string, number>();

  constructor(private readonly o: IncidentServiceOptions) {
    this.writer = new IncidentWriter(o.mapping, o.settings);
    this.log = o.logger.child({ module: 'incidents' });
    const s = o.settings;
    this.tickMs = o.tickMs ?? Math.min(5_000, Math.max(100, Math.min(s.openAfterMs || Infinity, s.resolveAfterMs || Infinity, s.noteIntervalMs || Infinity) / 5));
    this.startedAt = o.clock.now();
    this.credentials = { health: 'healthy', failingSince: null, healthySince: this.startedAt, message: '', permanent: false };
  }

  async record(sighting: TrunkSighting): Promise<boolean> {
    return (await this.ingest(sighting)).outcome !== 'duplicate';
  }

  /** `POST /v1/events`: a validated event body, deduplicated by its event id. */
  ingestEvent(input: TrunkEventInput): Promise<{ outcome: IngestOutcome; trunk: TrunkRow | null }> {
    return this.ingest(sightingFromEvent(input, this.o.clock.now()));
  }

  /** Records a sighting (unless its event id was seen before or it is older than what we know) and decides. */
  async ingest(s: TrunkSighting): Promise<{ outcome: IngestOutcome; trunk: TrunkRow | null }> {
    const result = await this.withConflictRetry(() =>
      this.o.store.transaction(async (tx) => {
        const now = this.o.clock.now();
        const seen = (message: string, data: Record<string, unknown> | null = null) => tx.addAudit({ at: now, subject: trunkCorrelationId(s.trunkId), incidentId: null, step: 'seen', message, data });
        if (s.eventId !== undefined && !(await tx.markEventProcessed(s.eventId, now))) {
          await seen(`event ${s.eventId} was already processed: ignored`);
          return { outcome: 'duplicate' as const, trunk: await tx.getTrunk(s.trunkId), effect: null };
        }
        const prev = await tx.getTrunk(s.trunkId, { forUpdate: true });
        // Never ahead of our clock (a sender's skew), and our clock when the time is unusable.
        const at = Number.isFinite(s.observedAt) ? Math.min(s.observedAt, now) : now;
        if (prev && at < prev.lastSeenAt) {
          await seen(`${s.source} sighting from ${new Date(at).toISOString()} is older than the last one: ignored`, { state: s.state, eventId: s.eventId ?? null });
          return { outcome: 'stale' as const, trunk: prev, effect: null };
        }
        const incidentOpen = prev?.failingSince != null && (await tx.getOpenIncident(trunkCorrelationId(s.trunkId))) !== null;
        const { row, changed } = applySighting(prev, s, at, this.o.settings.openAfterMs, incidentOpen);
        await tx.upsertTrunk(row);
        if (changed) {
          await tx.addTrunkEvent({ trunkId: row.trunkId, at, state: row.state, previousState: prev?.state ?? null, sipCode: row.sipCode, errorText: row.errorText, proxyAddress: row.proxyAddress, source: s.source, eventId: s.eventId ?? null });
          const detail = row.sipCode !== null || row.errorText !== null ? ` (${sipAnswerText(row.sipCode, row.errorText)})` : '';
          await seen(`${prev?.state ?? 'new'} → ${row.state}${detail} via ${s.source}`, { state: row.state, sipCode: row.sipCode, source: s.source, eventId: s.eventId ?? null });
        }
        const effect = await this.reviewTrunk(tx, row, changed, now);
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

  private async runTick(): Promise<void> {
    try {
      const now = this.o.clock.now();
      for (const trunk of await this.o.store.listTrunksDueToOpen(now - this.o.settings.openAfterMs)) await this.reviewTrunkById(trunk.trunkId);
      const open = (await this.o.store.listOpenIncidents()).filter((i) => i.trunkId !== null);
      if (open.length > 0) {
        const trunks = new Map((await this.o.store.listTrunks()).map((t) => [t.trunkId, t]));
        for (const incident of open) {
          const t = trunks.get(incident.trunkId!);
          // A transaction only where something is due (a resolve, a held note); the review re-checks inside it.
          const subject = t ? { health: healthOf(t.state), kind: kindOf(t.state), failingSince: t.failingSince, healthySince: t.healthySince } : null;
          if (subject && decide({ subject, open: incident, latest: null, changed: false, now, settings: this.o.settings }).type !== 'none') await this.reviewTrunkById(incident.trunkId!);
        }
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

  private async reviewTrunkById(trunkId: string): Promise<void> {
    const effect = await this.withConflictRetry(() =>
      this.o.store.transaction(async (tx) => {
        const trunk = await tx.getTrunk(trunkId, { forUpdate: true });
        return trunk ? this.reviewTrunk(tx, trunk, false, this.o.clock.now()) : null;
      }),
    );
    this.afterCommit(effect);
  }

  /**
   * After a complete poll: a trunk with an open incident that Genesys no longer lists (deleted, or no
   * longer EXTERNAL) can never be seen registered again, so its incident would stay open for ever.
   * Once it has been missing from GONE_AFTER_POLLS complete polls in a row (one odd listing is not
   * enough), its state becomes `unknown` and its incident is resolved saying so. Trunks last reported
   * by POST /v1/events are left alone.
   */
  async listed(trunkIds: readonly string[]): Promise<void> {
    const present = new Set(trunkIds);
    const missing = new Map<string, number>();
    for (const incident of await this.o.store.listOpenIncidents()) {
      if (incident.trunkId === null || present.has(incident.trunkId)) continue;
      const polls = (this.missingFromPolls.get(incident.trunkId) ?? 0) + 1;
      if (polls < GONE_AFTER_POLLS) missing.set(incident.trunkId, polls);
      else await this.trunkGone(incident.trunkId);
    }
    this.missingFromPolls = missing;
  }

  private async trunkGone(trunkId: string): Promise<void> {
    const effect = await this.withConflictRetry(() =>
      this.o.store.transaction(async (tx) => {
        const now = this.o.clock.now();
        const prev = await tx.getTrunk(trunkId, { forUpdate: true });
        const open = await tx.getOpenIncident(trunkCorrelationId(trunkId), { forUpdate: true });
        // A trunk only ever reported through POST /v1/events may not be one Genesys lists at all.
        if (!prev || !open || prev.source === 'event') return null;
        const gone: TrunkSighting = {
          trunkId, name: null, edge: null, proxyAddress: null, state: 'unknown', sipCode: null, errorText: GONE_TEXT,
          connected: null, registered: null, stateTime: null, source: 'poll', observedAt: now,
        };
        const { row } = applySighting(prev, gone, now, this.o.settings.openAfterMs, true);
        await tx.upsertTrunk(row);
        await tx.addTrunkEvent({ trunkId, at: now, state: row.state, previousState: prev.state, sipCode: null, errorText: GONE_TEXT, proxyAddress: row.proxyAddress, source: 'poll', eventId: null });
        await tx.addAudit({ at: now, subject: trunkCorrelationId(trunkId), incidentId: null, step: 'seen', message: `${prev.state} → unknown: ${GONE_TEXT} (${GONE_AFTER_POLLS} complete polls in a row)`, data: null });
        return this.writer.apply(tx, this.trunkContext(row, now), { type: 'resolve', incident: open, reason: 'gone' }, true, now);
      }),
    );
    this.afterCommit(effect);
  }

  private trunkContext(trunk: TrunkRow, now: number): SubjectContext {
    return {
      correlationId: trunkCorrelationId(trunk.trunkId),
      trunkId: trunk.trunkId,
      now: { health: healthOf(trunk.state), kind: kindOf(trunk.state), failingSince: trunk.failingSince, healthySince: trunk.healthySince },
      facts: (kind: IncidentKind) => trunkFacts(trunk, { ...this.o.settings, kind, correlationId: trunkCorrelationId(trunk.trunkId), rotations: this.o.rotations.rotations(), watchingSince: this.o.rotations.watchingSince, now }),
      note: async (t, incident, changes) =>
        trunkChangeNote({ trunk, events: await t.listTrunkEvents(trunk.trunkId, { afterAt: incident.lastNoteAt ?? incident.openedAt, limit: 10 }), changes, since: incident.lastNoteAt, resolveAfterMs: this.o.settings.resolveAfterMs }),
      relapse: () => trunkStateWords(trunk),
    };
  }

  private reviewTrunk(tx: StoreOps, trunk: TrunkRow, changed: boolean, now: number): Promise<Effect | null> {
    return this.review(tx, this.trunkContext(trunk, now), changed, now);
  }

  private async review(tx: StoreOps, ctx: SubjectContext, changed: boolean, now: number): Promise<Effect | null> {
    const open = await tx.getOpenIncident(ctx.correlationId, { forUpdate: true });
    // Only a failure without an open incident needs the latest one (to reopen it).
    const latest = open || ctx.now.health !== 'failing' ? null : await tx.getLatestIncident(ctx.correlationId);
    const decision = decide({ subject: ctx.now, open, latest, changed, now, settings: this.o.settings });
    return this.writer.apply(tx, ctx, decision, changed, now);
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

  private reviewCredentials(tx: StoreOps, changed: boolean): Promise<Effect | null> {
    const c = this.credentials;
    const now = this.o.clock.now();
    const settings = this.o.settings;
    const ctx: SubjectContext = {
      correlationId: GENESYS_CREDENTIALS_CORRELATION_ID,
      trunkId: null,
      now: { health: c.health, kind: c.health === 'failing' ? 'credentials_failed' : null, failingSince: c.failingSince, healthySince: c.healthySince },
      facts: () => credentialsFacts({ failingSince: c.failingSince ?? now, healthySince: c.healthySince, message: c.message || 'unknown', permanent: c.permanent, access: c.access }, { ...settings, correlationId: GENESYS_CREDENTIALS_CORRELATION_ID, now }),
      note: async (_t, _i, changes) => credentialsNote({ failing: c.health === 'failing', message: c.message, changes, at: now, resolveAfterMs: settings.resolveAfterMs }),
      relapse: () => `Genesys credentials failing again: ${c.message}`,
    };
    return this.review(tx, ctx, changed, now);
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
