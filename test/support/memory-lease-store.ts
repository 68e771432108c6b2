import type { LeaseStore } from '../../src/cluster/leader-lease.js';
import type { Clock } from '../../src/time/clock.js';

/** One lease key with a TTL on a clock, like a Redis key; each replica talks to it through its own client. */
export class MemoryLeaseBackend {
  held?: { owner: string; untilMono: number };

  constructor(readonly clock: Clock) {}

  client(): MemoryLeaseClient {
    return new MemoryLeaseClient(this);
  }

  holderNow(): string | undefined {
    return this.held && this.held.untilMono > this.clock.monotonic() ? this.held.owner : undefined;
  }
}

/**
 * A replica's connection to the backend. `mode = 'unreachable'` rejects every call (Redis down for this
 * replica only); `mode = 'dead'` never answers (the replica was killed: nothing it sends arrives).
 */
export class MemoryLeaseClient implements LeaseStore {
  mode: 'ok' | 'unreachable' | 'dead' = 'ok';
  calls = 0;

  constructor(private readonly backend: MemoryLeaseBackend) {}

  async acquire(owner: string, ttlMs: number): Promise<boolean> {
    await this.gate();
    if (this.backend.holderNow() !== undefined) return false;
    this.backend.held = { owner, untilMono: this.backend.clock.monotonic() + ttlMs };
    return true;
  }

  async renew(owner: string, ttlMs: number): Promise<boolean> {
    await this.gate();
    if (this.backend.holderNow() !== owner) return false;
    this.backend.held = { owner, untilMono: this.backend.clock.monotonic() + ttlMs };
    return true;
  }

  async release(owner: string): Promise<void> {
    await this.gate();
    if (this.backend.holderNow() === owner) this.backend.held = undefined;
  }

  async holder(): Promise<string | undefined> {
    await this.gate();
    return this.backend.holderNow();
  }

  private gate(): Promise<void> {
    this.calls += 1;
    if (this.mode === 'unreachable') return Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6379'));
    if (this.mode === 'dead') return new Promise(() => undefined);
    return Promise.resolve();
  }
}
