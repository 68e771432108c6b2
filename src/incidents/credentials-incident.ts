import { DEFAULT_CONNECTION } from '../config/connections.js';
import type { Logger } from '../log/logger.js';
import type { Clock } from '../time/clock.js';
import { advanceTimers, type Health } from '../trunks/health-timers.js';
import type { DecisionTx, Decisions } from './decisions.js';
import type { AccessProblem } from './genesys-access.js';
import { credentialsFacts, credentialsNote } from './credentials-texts.js';
import { decide, type RuleSettings } from './incident-rules.js';
import type { Effect, IncidentWriter, SubjectContext } from './incident-writer.js';
import { GENESYS_CREDENTIALS_CORRELATION_ID } from './subjects.js';

export interface CredentialsIncidentOptions {
  /** The org whose Genesys credentials this is about, and its correlation id (SubjectNames.credentials). */
  org?: string;
  correlationId?: string;
  clock: Clock;
  logger: Logger;
  decisions: Decisions;
  writer: IncidentWriter;
  settings: RuleSettings;
  /**
   * Whether this replica decides about the Genesys credentials incident (default: always). Each replica
   * only knows its own broker, so with several of them only the leader decides; otherwise a healthy
   * replica would resolve what a failing one opened, and back again.
   */
  decides?: () => boolean;
}

interface CredentialsHealth {
  health: Health;
  failingSince: number | null;
  healthySince: number | null;
  message: string;
  permanent: boolean;
  access?: AccessProblem;
}

/**
 * The Genesys credentials incident: trunkgate cannot get a token, or Genesys refuses what it does with
 * one (GenesysAccess turns the broker's and the trunk monitor's events into `failed`/`recovered`). Its
 * health lives in this replica's memory (it is the broker's own); reviews run one at a time, in event
 * order, and again on every tick (`review`) so the open/resolve delays are honoured.
 */
export class CredentialsIncident {
  private readonly log: Logger;
  private credentials: CredentialsHealth;
  readonly org: string;
  readonly correlationId: string;
  private work: Promise<void> = Promise.resolve();

  constructor(private readonly o: CredentialsIncidentOptions) {
    this.org = o.org ?? DEFAULT_CONNECTION;
    this.correlationId = o.correlationId ?? GENESYS_CREDENTIALS_CORRELATION_ID;
    this.log = o.logger.child({ module: 'incidents', org: this.org });
    this.credentials = { health: 'healthy', failingSince: null, healthySince: o.clock.now(), message: '', permanent: false };
  }

  /** trunkgate could not get a Genesys token, or Genesys refuses what it does with one (`access` says which). */
  failed(e: { at: number; message: string; permanent: boolean; access?: AccessProblem }): Promise<void> {
    const prev = this.credentials;
    const changed = prev.health !== 'failing' || prev.message !== e.message;
    this.credentials = {
      ...advanceTimers(prev, 'failing', e.at, this.o.settings.openAfterMs),
      health: 'failing',
      message: e.message,
      permanent: e.permanent,
      access: e.access,
    };
    return this.queueReview(changed);
  }

  /** The broker has a working Genesys token again. */
  recovered(at: number): Promise<void> {
    const prev = this.credentials;
    this.credentials = { ...prev, ...advanceTimers(prev, 'healthy', at, this.o.settings.openAfterMs), health: 'healthy' };
    return this.queueReview(prev.health !== 'healthy');
  }

  /** The time-driven review (opens after INCIDENT_OPEN_AFTER_MS, resolves after INCIDENT_RESOLVE_AFTER_MS). */
  review(): Promise<void> {
    return this.queueReview(false);
  }

  /** Waits for the reviews queued so far. */
  settled(): Promise<void> {
    return this.work;
  }

  private queueReview(changed: boolean): Promise<void> {
    // One review at a time, in event order; a failed review is logged and retried by the next tick.
    this.work = this.work.then(async () => {
      if (this.o.decides && !this.o.decides()) return;
      try {
        await this.o.decisions.commit((tx) => this.decide(tx, changed));
      } catch (err) {
        this.log.warn('credentials incident review failed; retrying at the next tick', { err });
      }
    });
    return this.work;
  }

  private async decide(tx: DecisionTx, changed: boolean): Promise<Effect | null> {
    const c = this.credentials;
    const now = this.o.clock.now();
    const settings = this.o.settings;
    const ctx: SubjectContext = {
      correlationId: this.correlationId,
      route: { org: this.org },
      trunkBaseId: null,
      failingTrunkIds: [],
      now: {
        health: c.health,
        kind: c.health === 'failing' ? 'credentials_failed' : null,
        failingSince: c.failingSince,
        healthySince: c.healthySince,
      },
      facts: () =>
        credentialsFacts(
          {
            failingSince: c.failingSince ?? now,
            healthySince: c.healthySince,
            message: c.message || 'unknown',
            permanent: c.permanent,
            access: c.access,
          },
          { ...settings, correlationId: this.correlationId, now },
        ),
      note: async (_t, _i, changes) =>
        credentialsNote({ failing: c.health === 'failing', message: c.message, changes, at: now, resolveAfterMs: settings.resolveAfterMs }),
      relapse: () => `Genesys credentials failing again: ${c.message}`,
    };
    const open = await tx.getOpenIncident(ctx.correlationId, { forUpdate: true });
    const latest = open || ctx.now.health !== 'failing' ? null : await tx.getLatestIncident(ctx.correlationId);
    return this.o.writer.apply(tx, ctx, decide({ subject: ctx.now, open, latest, changed, now, settings }), changed, now);
  }
}
