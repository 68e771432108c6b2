import os from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { LeaseStore } from './leader-lease.js';
import { StoreLeaderLease, type StoreLeaderLeaseOptions } from './store-leader-lease.js';

/** Extends the lease only while it is still ours: after it expired another replica may hold it. */
const RENEW_IF_OWNER = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;
const RELEASE_IF_OWNER = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/** A lease as one Redis key: SET NX PX to take it, compare-and-PEXPIRE to renew, compare-and-DEL to release. */
export class RedisLeaseStore implements LeaseStore {
  constructor(
    private readonly redis: Redis,
    readonly key: string,
  ) {}

  async acquire(owner: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(this.key, owner, 'PX', ttlMs, 'NX')) === 'OK';
  }

  async renew(owner: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.eval(RENEW_IF_OWNER, 1, this.key, owner, String(ttlMs))) === 1;
  }

  async release(owner: string): Promise<void> {
    await this.redis.eval(RELEASE_IF_OWNER, 1, this.key, owner);
  }

  async holder(): Promise<string | undefined> {
    return (await this.redis.get(this.key)) ?? undefined;
  }
}

/** A unique id for this process in a lease: readable by an operator looking at the key. */
export function replicaId(): string {
  return `${os.hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

/** The trunk monitor's leadership across replicas, kept in Redis under `<prefix>leader:<lease>`. */
export class RedisLeaderLease extends StoreLeaderLease {
  readonly store: RedisLeaseStore;

  constructor(options: Omit<StoreLeaderLeaseOptions, 'store' | 'owner'> & { redis: Redis; keyPrefix: string; owner?: string }) {
    const lease = options.lease ?? 'trunk-monitor';
    const store = new RedisLeaseStore(options.redis, `${options.keyPrefix}leader:${lease}`);
    super({ ...options, lease, store, owner: options.owner ?? replicaId() });
    this.store = store;
  }
}
