import type { AuditKind } from '../audit/audit-kinds.js';
import type { AuditStore } from '../audit/audit-store.js';
import type { Logger } from '../log/logger.js';
import { retryOnConflict, type Transactional } from '../store/store-set.js';
import type { Clock } from '../time/clock.js';
import { applySighting } from './health-timers.js';
import { judgePatch } from './judge-patch.js';
import { sipAnswerText } from './sip-error-info.js';
import { sightingFromEvent, type TrunkEventInput } from './trunk-event.js';
import type { IngestOutcome, SightingMetrics } from './trunk-metrics.js';
import { DEFAULT_CONNECTION } from '../config/connections.js';
import { subjectNames, type SubjectNames } from './subject-names.js';
import type { TrunkPatch, TrunkSighting, TrunkSightingSink } from './trunk-sighting.js';
import type { TrunkRow, TrunkStore } from './trunk-store.js';

/** What recording a sighting reads and writes. */
export type IngestTx = TrunkStore & Pick<AuditStore, 'addAudit'>;

/** Runs once the transaction that recorded a change has committed (wakes whoever delivers its effects). */
export type AfterCommit = () => void;

/** A watcher's view of one trunk, taken inside the transaction that records the trunk's change. */
export interface TrunkWatch {
  /**
   * Whether something still holds the trunk's failure episode (an open incident about it): a healthy
   * spell does not end the episode until that is over, so its resolve note can say when it began.
   */
  holdsEpisode(): Promise<boolean>;
  /**
   * The trunk's new row is written: decide on it in the same transaction. `changed`: its state, SIP
   * code or error text changed; `gone`: Genesys no longer lists it.
   */
  recorded(row: TrunkRow, change: { changed: boolean; gone: boolean; now: number }): Promise<AfterCommit | null>;
}

/** What acts on trunk changes (the incidents); `Tx` is the transaction handle it needs. */
export interface TrunkWatcher<Tx> {
  watch(tx: Tx, trunk: { org: string; trunkId: string; trunkBaseId: string | null }): Promise<TrunkWatch>;
}

/** What `POST /v1/events` needs of the ingest. */
export type TrunkEventSink = Pick<TrunkIngest<IngestTx>, 'ingestEvent'>;

export interface TrunkIngestOptions<Tx extends IngestTx> {
  store: Tx & Transactional<Tx>;
  clock: Clock;
  logger: Logger;
  metrics: SightingMetrics;
  /** A failure episode survives healthy spells shorter than this (INCIDENT_OPEN_AFTER_MS). */
  openAfterMs: number;
  watcher: TrunkWatcher<Tx>;
  /** The org of a sighting or event that names none (the first org; `default` without a connections file). */
  defaultOrg?: string;
  /** With a connections file: subjects named per org, and event ids deduplicated per org. */
  perOrg?: boolean;
}

/** Complete polls in a row that must miss a trunk before it counts as gone. */
export const GONE_AFTER_POLLS = 2;
const GONE_TEXT = 'no longer listed by Genesys Cloud';

/**
 * Keeps trunk state (docs/design.md, "Trunk state"): records each sighting from the monitor and each
 * event from `POST /v1/events` — deduplicated by event id, ignored when older than what we know — with
 * its state change and audit line, and lets the watcher decide on it in the same transaction. After a
 * complete poll, it marks the trunks Genesys no longer lists as gone.
 */
export class TrunkIngest<Tx extends IngestTx> implements TrunkSightingSink {
  private readonly log: Logger;
  /** Per org: listed trunks missing from its latest complete polls, and in how many of them in a row. */
  private readonly missingFromPolls = new Map<string, Map<string, number>>();
  private readonly names: SubjectNames;
  private readonly defaultOrg: string;

  constructor(private readonly o: TrunkIngestOptions<Tx>) {
    this.log = o.logger.child({ module: 'trunks' });
    this.names = subjectNames(o.perOrg ?? false);
    this.defaultOrg = o.defaultOrg ?? DEFAULT_CONNECTION;
  }

  /** The sink one org's monitor feeds: its sightings and events belong to `org`, its polls list only its trunks. */
  forOrg(org: string): TrunkSightingSink {
    return {
      record: (sighting) => this.record({ ...sighting, org }),
      recordPatch: (patch) => this.recordPatch({ ...patch, org }),
      listed: (trunkIds) => this.listed(trunkIds, org),
    };
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
   * event id was seen before or it is older than what we know), and lets the watcher decide on it.
   */
  async ingest(input: TrunkSighting | TrunkPatch): Promise<{ outcome: IngestOutcome; trunk: TrunkRow | null }> {
    const result = await this.transaction(async (tx) => {
      const now = this.o.clock.now();
      const org = input.org ?? this.defaultOrg;
      const audit = (kind: AuditKind, trunkId: string, message: string, data: Record<string, unknown> | null = null) =>
        tx.addAudit({ at: now, subject: this.names.trunk(org, trunkId), incidentId: null, kind, org, message, data });
      // Senders choose event ids: with several orgs, each org's are its own.
      const eventKey = input.eventId === undefined ? undefined : this.o.perOrg ? `${org}:${input.eventId}` : input.eventId;
      if (eventKey !== undefined && !(await tx.markEventProcessed(eventKey, now))) {
        await audit('trunk_sighting_ignored', input.trunkId, `event ${input.eventId} was already processed: ignored`);
        return { outcome: 'duplicate' as const, trunk: await tx.getTrunk(input.trunkId), after: null };
      }
      const prev = await tx.getTrunk(input.trunkId, { forUpdate: true });
      const s = { ...('body' in input ? judgePatch(input, prev?.health ?? null) : input), org };
      // Never ahead of our clock (a sender's skew), and our clock when the time is unusable.
      const at = Number.isFinite(s.observedAt) ? Math.min(s.observedAt, now) : now;
      if (prev && at < prev.lastSeenAt) {
        await audit(
          'trunk_sighting_ignored',
          s.trunkId,
          `${s.source} sighting from ${new Date(at).toISOString()} is older than the last one: ignored`,
          {
            state: s.state,
            eventId: s.eventId ?? null,
          },
        );
        return { outcome: 'stale' as const, trunk: prev, after: null };
      }
      const watch = await this.o.watcher.watch(tx, { org, trunkId: s.trunkId, trunkBaseId: s.trunkBase?.id ?? prev?.trunkBaseId ?? null });
      const { row, changed } = applySighting(prev, s, at, this.o.openAfterMs, prev?.failingSince != null && (await watch.holdsEpisode()));
      await tx.upsertTrunk(row);
      if (changed) {
        await tx.addTrunkEvent({
          trunkId: row.trunkId,
          at,
          state: row.state,
          previousState: prev?.state ?? null,
          signal: row.signal,
          sipCode: row.sipCode,
          errorText: row.errorText,
          proxyAddress: row.proxyAddress,
          source: s.source,
          eventId: s.eventId ?? null,
        });
        const detail = row.sipCode !== null || row.errorText !== null ? ` (${sipAnswerText(row.sipCode, row.errorText)})` : '';
        await audit('trunk_state_changed', row.trunkId, `${prev?.state ?? 'new'} → ${row.state}${detail} via ${s.source}`, {
          state: row.state,
          signal: row.signal,
          sipCode: row.sipCode,
          source: s.source,
          eventId: s.eventId ?? null,
        });
      }
      const after = await watch.recorded(row, { changed, gone: false, now });
      return { outcome: 'applied' as const, trunk: row, after };
    });
    this.o.metrics.sighting(result.outcome, input.org ?? this.defaultOrg);
    result.after?.();
    return { outcome: result.outcome, trunk: result.trunk };
  }

  /**
   * After a complete poll: a trunk Genesys no longer lists (deleted, or no longer EXTERNAL) can never
   * be seen healthy again. Once it has been missing from GONE_AFTER_POLLS complete polls in a row (one
   * odd listing is not enough), its state becomes `unknown` and it is marked gone (it leaves its trunk
   * base). Trunks last reported by POST /v1/events are left alone.
   */
  async listed(trunkIds: readonly string[], org: string = this.defaultOrg): Promise<void> {
    const present = new Set(trunkIds);
    const before = this.missingFromPolls.get(org) ?? new Map<string, number>();
    const missing = new Map<string, number>();
    for (const trunk of await this.o.store.listTrunks({ org })) {
      if (present.has(trunk.trunkId) || trunk.goneAt !== null || trunk.source === 'event') continue;
      const polls = (before.get(trunk.trunkId) ?? 0) + 1;
      if (polls < GONE_AFTER_POLLS) missing.set(trunk.trunkId, polls);
      else await this.trunkGone(trunk.trunkId);
    }
    this.missingFromPolls.set(org, missing);
  }

  private async trunkGone(trunkId: string): Promise<void> {
    const after = await this.transaction(async (tx) => {
      const now = this.o.clock.now();
      const prev = await tx.getTrunk(trunkId, { forUpdate: true });
      // A trunk only ever reported through POST /v1/events may not be one Genesys lists at all.
      if (!prev || prev.goneAt !== null || prev.source === 'event') return null;
      const watch = await this.o.watcher.watch(tx, prev);
      const gone: TrunkSighting = {
        trunkId,
        name: null,
        edge: null,
        trunkBase: null,
        proxyAddress: null,
        state: 'unknown',
        signal: null,
        sipCode: null,
        errorText: GONE_TEXT,
        connected: null,
        registered: null,
        stateTime: null,
        source: 'poll',
        observedAt: now,
      };
      const row: TrunkRow = { ...applySighting(prev, gone, now, this.o.openAfterMs, await watch.holdsEpisode()).row, goneAt: now };
      await tx.upsertTrunk(row);
      await tx.addTrunkEvent({
        trunkId,
        at: now,
        state: row.state,
        previousState: prev.state,
        signal: null,
        sipCode: null,
        errorText: GONE_TEXT,
        proxyAddress: row.proxyAddress,
        source: 'poll',
        eventId: null,
      });
      await tx.addAudit({
        at: now,
        subject: this.names.trunk(prev.org, trunkId),
        incidentId: null,
        kind: 'trunk_gone',
        org: prev.org,
        message: `${prev.state} → unknown: ${GONE_TEXT} (${GONE_AFTER_POLLS} complete polls in a row)`,
        data: null,
      });
      return watch.recorded(row, { changed: true, gone: true, now });
    });
    after?.();
  }

  /** One transaction, run again if another writer (another replica) made a conflicting write first. */
  private transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return retryOnConflict(
      () => this.o.store.transaction(fn),
      (err) => this.log.info('another writer got there first; recording again', { reason: err.message }),
    );
  }
}
