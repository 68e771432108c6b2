import type { SharedToken, TokenStore } from '../../src/credentials/token-store.js';
import type { Clock } from '../../src/time/clock.js';

type Operation = 'read' | 'write' | 'lock';

/**
 * A token store several brokers share in one test, like Redis: tokens expire with their life, the
 * refresh lock has an owner and a TTL on the clock, and any operation can be made to fail ("Redis down").
 */
export class FakeSharedTokenStore implements TokenStore {
  readonly failing = new Set<Operation>();
  reads = 0;
  writes = 0;
  locksAcquired = 0;
  locksContended = 0;
  /** Runs once, just before the next lock is granted (another replica acting between our read and our lock). */
  beforeNextLock?: () => Promise<void>;
  private readonly tokens = new Map<string, SharedToken>();
  private readonly locks = new Map<string, { owner: number; untilMono: number }>();
  private nextOwner = 1;

  constructor(private readonly clock: Clock) {}

  async read(upstream: string): Promise<SharedToken | undefined> {
    this.fail('read');
    this.reads += 1;
    const t = this.tokens.get(upstream);
    if (!t || t.expiresAtWall <= this.clock.now()) return undefined;
    return { ...t, scopes: [...t.scopes] };
  }

  async write(upstream: string, token: SharedToken): Promise<void> {
    this.fail('write');
    this.writes += 1;
    this.tokens.set(upstream, { ...token, scopes: [...token.scopes] });
  }

  async withRefreshLock<T>(
    upstream: string,
    ttlMs: number,
    fn: () => Promise<T>,
  ): Promise<{ acquired: true; value: T } | { acquired: false }> {
    this.fail('lock');
    const hook = this.beforeNextLock;
    this.beforeNextLock = undefined;
    await hook?.();
    const held = this.locks.get(upstream);
    if (held && held.untilMono > this.clock.monotonic()) {
      this.locksContended += 1;
      return { acquired: false };
    }
    const owner = this.nextOwner++;
    this.locks.set(upstream, { owner, untilMono: this.clock.monotonic() + ttlMs });
    this.locksAcquired += 1;
    try {
      return { acquired: true, value: await fn() };
    } finally {
      if (this.locks.get(upstream)?.owner === owner) this.locks.delete(upstream);
    }
  }

  /** Another replica (that will never finish) takes the lock. */
  holdLock(upstream: string, ttlMs: number): void {
    this.locks.set(upstream, { owner: this.nextOwner++, untilMono: this.clock.monotonic() + ttlMs });
  }

  stored(upstream: string): SharedToken | undefined {
    return this.tokens.get(upstream);
  }

  private fail(op: Operation): void {
    if (this.failing.has(op)) throw new Error(`connect ECONNREFUSED 127.0.0.1:6379 (${op})`);
  }
}
