import { EventEmitter } from 'node:events';
import type { Logger } from '../log/logger.js';
import type { Clock, Timer } from '../time/clock.js';
import type { LeaderLease, LeadershipEvent, LeaseSnapshot, LeaseStore } from './leader-lease.js';
import type { LeaseMetrics } from './lease-metrics.js';

/**
 * The lease TTL for a monitor polling every `pollIntervalMs`. A leader killed without releasing leaves
 * its key for at most one TTL; a follower tries again every TTL/3; so a takeover happens within
 * TTL + TTL/3 = 4/3 of a poll interval — inside the "two poll intervals" the issue asks for.
 */
export function leaseTtlForPollInterval(pollIntervalMs: number): number {
  return pollIntervalMs;
}

export interface StoreLeaderLeaseOptions {
  store: LeaseStore;
  /** This replica's id, unique per process. */
  owner: string;
  ttlMs: number;
  clock: Clock;
  logger: Logger;
  metrics?: LeaseMetrics;
  lease?: string;
}

/**
 * A lease held in a LeaseStore: campaign with acquire every TTL/3, renew at the same pace while leader.
 * The leader steps down when a renewal says the lease is no longer its own, and — when the store cannot
 * be reached — at its own deadline: the TTL counted from when the last successful renewal was *sent*.
 * The store counts its TTL from when it *received* that renewal, i.e. later, so the old leader has always
 * stepped down before a follower can acquire the key (as long as both clocks run at the same rate).
 */
export class StoreLeaderLease extends EventEmitter implements LeaderLease {
  private readonly lease: string;
  private readonly renewEveryMs: number;
  private readonly log: Logger;
  private running = false;
  private leader = false;
  private validUntilMono = 0;
  private leaderSinceWall?: number;
  private tickTimer?: Timer;
  private deadlineTimer?: Timer;
  private ticking?: Promise<void>;
  private lastError?: string;
  /** An acquire that answered "yes" after stop() began: not announced, but released. */
  private acquiredWhileStopping = false;

  constructor(private readonly options: StoreLeaderLeaseOptions) {
    super();
    this.lease = options.lease ?? 'trunk-monitor';
    this.renewEveryMs = Math.max(1, Math.floor(options.ttlMs / 3));
    this.log = options.logger.child({ module: 'cluster/leader-lease', lease: this.lease });
    options.metrics?.track(this.lease, () => this.isLeader);
  }

  get isLeader(): boolean {
    return this.leader && this.options.clock.monotonic() < this.validUntilMono;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.tick();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.tickTimer?.cancel();
    this.tickTimer = undefined;
    await this.ticking;
    const mustRelease = this.leader || this.acquiredWhileStopping;
    this.acquiredWhileStopping = false;
    this.stepDown('stopped');
    if (mustRelease) {
      await this.options.store.release(this.options.owner).catch((err: unknown) => {
        this.log.warn('could not release the lease; a follower takes over when it expires', { err, ttlMs: this.options.ttlMs });
      });
    }
  }

  snapshot(): LeaseSnapshot {
    return {
      lease: this.lease,
      owner: this.options.owner,
      isLeader: this.isLeader,
      since: this.isLeader && this.leaderSinceWall !== undefined ? new Date(this.leaderSinceWall).toISOString() : null,
      lastError: this.lastError ?? null,
    };
  }

  private tick(): void {
    if (!this.running) return;
    const { clock } = this.options;
    const sentAt = clock.monotonic();
    this.ticking = this.campaign(sentAt).finally(() => {
      this.ticking = undefined;
      if (!this.running) return;
      this.tickTimer = clock.setTimer(sentAt + this.renewEveryMs - clock.monotonic(), () => this.tick());
    });
  }

  private async campaign(sentAt: number): Promise<void> {
    const { store, owner, ttlMs, clock } = this.options;
    const wasLeader = this.leader;
    let ours: boolean;
    try {
      ours = wasLeader ? await store.renew(owner, ttlMs) : await store.acquire(owner, ttlMs);
    } catch (err) {
      // Unreachable: a leader keeps leading until its deadline (the timer steps it down); a follower waits.
      const message = (err as Error).message;
      if (this.lastError === undefined)
        this.log.warn(
          wasLeader ? 'cannot renew the lease; stepping down at its deadline unless Redis answers' : 'cannot reach the lease store',
          { err },
        );
      this.lastError = message;
      return;
    }
    if (this.lastError !== undefined) this.log.info('lease store reachable again');
    this.lastError = undefined;
    if (!this.running) {
      // stop() ran while the call was in flight: it releases what we may just have acquired.
      if (ours && !wasLeader) this.acquiredWhileStopping = true;
      return;
    }
    const validUntil = sentAt + ttlMs;
    if (!ours || clock.monotonic() >= validUntil) {
      if (wasLeader) this.stepDown('the lease is no longer ours (it expired or another replica took it)');
      return;
    }
    this.validUntilMono = validUntil;
    this.deadlineTimer?.cancel();
    this.deadlineTimer = clock.setTimer(validUntil - clock.monotonic(), () => this.stepDown('could not renew the lease before it expired'));
    if (!wasLeader) {
      this.leader = true;
      this.leaderSinceWall = clock.now();
      this.log.info('elected leader', { owner, ttlMs });
      this.options.metrics?.changed(this.lease, 'elected');
      this.emit('elected', { lease: this.lease, at: this.leaderSinceWall, reason: 'acquired the lease' } satisfies LeadershipEvent);
    }
  }

  private stepDown(reason: string): void {
    this.deadlineTimer?.cancel();
    this.deadlineTimer = undefined;
    if (!this.leader) return;
    this.leader = false;
    this.validUntilMono = 0;
    this.leaderSinceWall = undefined;
    if (reason === 'stopped') this.log.info('leadership given up', { reason });
    else this.log.warn('stepped down as leader', { reason });
    this.options.metrics?.changed(this.lease, 'revoked');
    this.emit('revoked', { lease: this.lease, at: this.options.clock.now(), reason } satisfies LeadershipEvent);
  }
}
