import { EventEmitter } from 'node:events';
import type { LeaseMetrics } from './lease-metrics.js';

/** Emitted on `elected` and `revoked`. */
export interface LeadershipEvent {
  lease: string;
  at: number;
  reason: string;
}

/** What status and readiness show about leadership. */
export interface LeaseSnapshot {
  lease: string;
  /** This replica's id in the lease (hostname:pid:random). */
  owner: string;
  isLeader: boolean;
  since: string | null;
  lastError: string | null;
}

/**
 * Who may run the single-instance work of a cluster (the trunk monitor and its notification channels).
 * `elected` fires when this replica becomes leader, `revoked` when it must stop (lease lost, Redis
 * unreachable past the lease, or stop()). Check `isLeader` right before acting: it turns false at the
 * lease deadline even if the `revoked` event has not been delivered yet.
 */
export interface LeaderLease {
  readonly isLeader: boolean;
  start(): void;
  /** Stops campaigning and gives the lease up (so a follower takes over at once, not after the TTL). */
  stop(): Promise<void>;
  snapshot(): LeaseSnapshot;
  on(event: 'elected' | 'revoked', listener: (e: LeadershipEvent) => void): this;
  once(event: 'elected' | 'revoked', listener: (e: LeadershipEvent) => void): this;
  off(event: 'elected' | 'revoked', listener: (e: LeadershipEvent) => void): this;
}

/** Where a lease lives: one key, one owner at a time, expiring by itself. */
export interface LeaseStore {
  /** Takes the lease if nobody holds it; true when it is now ours for `ttlMs`. */
  acquire(owner: string, ttlMs: number): Promise<boolean>;
  /** Extends the lease to `ttlMs` from now if it is still ours; false when it is not (expired or taken). */
  renew(owner: string, ttlMs: number): Promise<boolean>;
  /** Gives the lease up if it is still ours. */
  release(owner: string): Promise<void>;
  /** Who holds it now, if anyone. */
  holder(): Promise<string | undefined>;
}

/**
 * One replica: always the leader between start() and stop(). It reports leadership like a Redis lease
 * does (`trunkgate_leader` 1 once started), so the same dashboards and alerts work for one replica or several.
 */
export class SoloLeaderLease extends EventEmitter implements LeaderLease {
  private leaderSince?: number;

  constructor(
    private readonly lease = 'trunk-monitor',
    private readonly now: () => number = Date.now,
    private readonly metrics?: LeaseMetrics,
  ) {
    super();
    metrics?.track(lease, () => this.isLeader);
  }

  get isLeader(): boolean {
    return this.leaderSince !== undefined;
  }

  start(): void {
    if (this.leaderSince !== undefined) return;
    this.leaderSince = this.now();
    this.metrics?.changed(this.lease, 'elected');
    this.emit('elected', { lease: this.lease, at: this.leaderSince, reason: 'single replica (no REDIS_URL)' } satisfies LeadershipEvent);
  }

  async stop(): Promise<void> {
    if (this.leaderSince === undefined) return;
    this.leaderSince = undefined;
    this.metrics?.changed(this.lease, 'revoked');
    this.emit('revoked', { lease: this.lease, at: this.now(), reason: 'stopped' } satisfies LeadershipEvent);
  }

  snapshot(): LeaseSnapshot {
    return {
      lease: this.lease,
      owner: 'solo',
      isLeader: this.isLeader,
      since: this.leaderSince === undefined ? null : new Date(this.leaderSince).toISOString(),
      lastError: null,
    };
  }
}
