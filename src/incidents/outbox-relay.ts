import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { AppError } from '../errors/app-error.js';
import type { Logger } from '../log/logger.js';
import type { ClaimedDelivery } from './outbox-store.js';
import type { AuditStore } from '../audit/audit-store.js';
import type { Transactional } from '../store/store-set.js';
import type { IncidentStore } from './incident-store.js';
import type { OutboxStore } from './outbox-store.js';
import type { Clock, Timer } from '../time/clock.js';
import type { ServiceNowIncidents } from '../upstream/servicenow-client.js';
import type { IncidentMetrics } from './incident-metrics.js';
import { recordDelivered, recordRetry } from './delivery-records.js';
import { retryPlan } from './retry-plan.js';
import { mayHaveReached, ServiceNowDelivery, type AttemptProgress } from './servicenow-delivery.js';

/** What the relay reads and writes: the outbox, and on delivery the incident's ServiceNow ids and an audit line. */
export type RelayTx = OutboxStore & Pick<IncidentStore, 'updateIncident'> & Pick<AuditStore, 'addAudit'>;

export interface OutboxRelayOptions {
  store: RelayTx & Transactional<RelayTx>;
  servicenow: ServiceNowIncidents;
  clock: Clock;
  logger: Logger;
  /** Its deliveries' metrics (createIncidents labels them with the relay's instance). */
  metrics: Pick<IncidentMetrics, 'delivery'>;
  /** Identifies this relay's leases (several replicas may run one each). */
  owner?: string;
  /** The ServiceNow instance this relay delivers to: it claims only that instance's incidents (none: all). */
  instance?: string;
  /** How long a claimed entry is ours; longer than one delivery (two ServiceNow calls) can take. */
  leaseMs?: number;
  batchSize?: number;
  /** Deliveries of different incidents in flight at once (one incident's go strictly in order). */
  concurrency?: number;
  /** Longest sleep between looks at the outbox (entries queued by other replicas, expired leases). */
  pollMs?: number;
  backoff?: { baseMs: number; capMs: number };
  random?: () => number;
}

/**
 * Delivers the outbox to ServiceNow: at least once, and exactly once in effect. Entries are leased
 * (a crashed relay's lease runs out, or SQLite releases it at start-up); each incident's entries go
 * strictly in order; failures back off per entry, and a ServiceNow-wide failure pauses them all.
 */
export class OutboxRelay {
  readonly owner: string;
  private readonly delivery: ServiceNowDelivery;
  private readonly log: Logger;
  readonly instance: string | undefined;
  private readonly o: Required<Omit<OutboxRelayOptions, 'owner' | 'instance'>>;
  private started = false;
  private stopping = false;
  private busy = false;
  private wakeAgain = false;
  private onWake?: () => void;
  private timer?: Timer;
  private draining: Promise<void> = Promise.resolve();
  private pausedUntil = 0;
  private abort = OutboxRelay.controller();

  constructor(options: OutboxRelayOptions) {
    this.owner = options.owner ?? `relay-${randomUUID()}`;
    this.instance = options.instance;
    // Options given as undefined take the default (a spread would let them erase it).
    const { instance: _instance, ...rest } = options;
    const given = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)) as Omit<OutboxRelayOptions, 'instance'>;
    this.o = {
      leaseMs: 60_000,
      batchSize: 32,
      concurrency: 16,
      pollMs: 1_000,
      backoff: { baseMs: 1_000, capMs: 60_000 },
      random: Math.random,
      ...given,
    };
    this.log = options.logger.child({ module: 'incidents/outbox', ...(options.instance ? { instance: options.instance } : {}) });
    this.delivery = new ServiceNowDelivery(options.servicenow, (d, err) =>
      this.log.warn(
        "cannot read the incident's journal (sys_journal_field) to see whether an earlier attempt's work note arrived: sending it again, so it may appear twice; give the integration user read access to sys_journal_field",
        { correlationId: d.incident.correlationId, operation: d.operation, err },
      ),
    );
  }

  /** One signal cuts every call in flight at shutdown; each call listens to it. */
  private static controller(): AbortController {
    const c = new AbortController();
    setMaxListeners(0, c.signal);
    return c;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.stopping = false;
    this.wake();
  }

  /** New entries were queued: look now (unless ServiceNow asked us to wait). */
  wake(): void {
    if (!this.started || this.stopping) return;
    if (this.busy) {
      this.wakeAgain = true;
      this.onWake?.();
      return;
    }
    this.timer?.cancel();
    this.busy = true;
    this.draining = this.drain().finally(() => (this.busy = false));
  }

  /**
   * Stops the loop, then delivers what is due for at most `flushMs` (SIGTERM). What is left stays in
   * the outbox for the next start.
   */
  async stop(flushMs = 0): Promise<void> {
    this.stopping = true;
    this.timer?.cancel();
    const work = (async () => {
      await this.draining;
      while (flushMs > 0 && this.started && this.o.clock.now() >= this.pausedUntil && (await this.runOnce()) > 0);
    })();
    let deadline: Timer | undefined;
    const expired = new Promise<void>((resolve) => {
      if (flushMs <= 0) resolve();
      else deadline = this.o.clock.setTimer(flushMs, resolve);
    });
    // A flush the store refuses (PostgreSQL down at SIGTERM) ends the flush, not the shutdown.
    await Promise.race([
      work.catch((err: unknown) =>
        this.log.warn('could not flush the outbox before stopping; what is queued stays for the next start', { err }),
      ),
      expired,
    ]);
    deadline?.cancel();
    // Calls still in flight are cut; their entries stay queued for the next start.
    this.abort.abort(new Error('shutting down'));
    await work.catch(() => undefined);
    this.abort = OutboxRelay.controller();
    this.started = false;
  }

  /** Claims one batch and delivers it; returns how many entries it handled. */
  async runOnce(): Promise<number> {
    const queue = await this.claim(this.o.batchSize);
    const count = queue.length;
    const worker = async () => {
      for (let d = queue.shift(); d; d = queue.shift()) await this.deliverOne(d);
    };
    await Promise.all(Array.from({ length: Math.min(this.o.concurrency, queue.length) }, worker));
    return count;
  }

  /** Leases up to `limit` entries and notes in the audit trail that they are being sent. */
  private claim(limit: number): Promise<ClaimedDelivery[]> {
    const now = this.o.clock.now();
    return this.o.store.transaction(async (tx) => {
      const batch = await tx.claimDeliveries({ owner: this.owner, now, leaseMs: this.o.leaseMs, limit, instance: this.instance });
      for (const d of batch) {
        await tx.addAudit({
          at: now,
          subject: d.incident.correlationId,
          incidentId: d.incidentId,
          kind: 'delivery_attempt',
          org: d.incident.org,
          message: `sending the ${d.operation} to ServiceNow (attempt ${d.attempts + 1})`,
          data: { operation: d.operation, attempt: d.attempts + 1 },
        });
      }
      return batch;
    });
  }

  /** Resolves at the next wake() (new entries while deliveries are in flight). */
  private nextWake(): Promise<void> {
    return new Promise((resolve) => (this.onWake = resolve));
  }

  /**
   * Keeps up to `concurrency` deliveries in flight, claiming more as each one finishes or as new
   * entries are queued, so one slow answer does not hold back the others.
   */
  private async drain(): Promise<void> {
    const inflight = new Set<Promise<void>>();
    try {
      for (;;) {
        if (this.stopping || this.o.clock.now() < this.pausedUntil) break;
        // Refill at once for newly queued entries; otherwise when half the slots are free, since
        // claiming one entry per finished delivery would cost a transaction each.
        const woken = this.wakeAgain;
        this.wakeAgain = false;
        const free = this.o.concurrency - inflight.size;
        const worthIt = free > 0 && (woken || inflight.size === 0 || free >= Math.ceil(this.o.concurrency / 2));
        const batch = worthIt ? await this.claim(Math.min(free, this.o.batchSize)) : [];
        for (const d of batch) {
          const p: Promise<void> = this.deliverOne(d).finally(() => inflight.delete(p));
          inflight.add(p);
        }
        if (inflight.size === 0 && !this.wakeAgain) break;
        if (batch.length === 0 || inflight.size >= this.o.concurrency) {
          if (this.wakeAgain && inflight.size < this.o.concurrency) continue;
          await Promise.race([...inflight, this.nextWake()]);
        }
      }
    } catch (err) {
      this.log.warn('outbox pass failed; trying again shortly', { err });
    }
    this.onWake = undefined;
    await Promise.all(inflight);
    if (this.stopping) return;
    let next: number | null = null;
    try {
      next = await this.o.store.nextDeliveryDueAt({ instance: this.instance });
    } catch {
      // The store is unreachable: poll again at the usual pace.
    }
    const now = this.o.clock.now();
    let delay = next === null ? this.o.pollMs : Math.min(Math.max(next - now, 0), this.o.pollMs);
    // Entries queued while this pass was winding down must not wait for the poll.
    if (this.wakeAgain) delay = 0;
    if (this.pausedUntil > now) delay = Math.max(delay, this.pausedUntil - now);
    this.timer = this.o.clock.setTimer(delay, () => this.wake());
  }

  private async deliverOne(d: ClaimedDelivery): Promise<void> {
    const subject = d.incident.correlationId;
    const attempt = d.attempts + 1;
    const progress: AttemptProgress = { wrote: false };
    try {
      const result = await this.delivery.deliver(d, this.abort.signal, progress);
      const now = this.o.clock.now();
      const kept = await this.o.store.transaction((tx) => recordDelivered(tx, d, result, this.owner, now));
      if (!kept)
        this.log.warn('delivery lease expired before completion; another relay owns the entry', {
          correlationId: subject,
          operation: d.operation,
        });
      this.o.metrics.delivery(d.operation, result.outcome, now - d.createdAt);
      // Work notes can be many; creates, reopens and resolves are what an operator looks for.
      const level = d.operation === 'note' ? 'debug' : 'info';
      if (this.log.isLevelEnabled(level)) this.log.log(level, result.message, { correlationId: subject, operation: d.operation, attempt });
    } catch (err) {
      // Once in doubt, an entry stays so until delivered: this attempt may have failed before its write.
      await this.failed(d, err, attempt, d.inDoubt || (progress.wrote && mayHaveReached(err)));
    }
  }

  private async failed(d: ClaimedDelivery, err: unknown, attempt: number, inDoubt: boolean): Promise<void> {
    const plan = retryPlan(err, attempt, this.o.backoff, this.o.random);
    const now = this.o.clock.now();
    const retryAt = now + plan.delayMs;
    if (plan.pauseAll) this.pausedUntil = Math.max(this.pausedUntil, retryAt);
    this.o.metrics.delivery(d.operation, 'retry');
    const meta = {
      correlationId: d.incident.correlationId,
      operation: d.operation,
      attempt,
      retryAt: new Date(retryAt).toISOString(),
      code: (err as AppError).code,
    };
    if (attempt === 1) this.log.warn(`ServiceNow did not take the ${d.operation}: ${plan.reason}; will retry`, meta);
    else this.log.info(`ServiceNow still does not take the ${d.operation}: ${plan.reason}`, meta);
    try {
      await this.o.store.transaction((tx) => recordRetry(tx, d, this.owner, { ...plan, retryAt, attempt, inDoubt, now }));
    } catch (storeErr) {
      // The lease runs out and the entry is tried again then; nothing is lost.
      this.log.error('cannot record a failed delivery in the store', { err: storeErr, correlationId: d.incident.correlationId });
    }
  }
}
