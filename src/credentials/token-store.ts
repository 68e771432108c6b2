/** A token as replicas share it: wall-clock times, since monotonic clocks differ between processes. */
export interface SharedToken {
  value: string;
  obtainedAtWall: number;
  expiresAtWall: number;
  lifetimeMs: number;
  verified: boolean;
  scopes: string[];
}

/**
 * Where tokens live and who may refresh them. The in-process store is enough for one replica; the
 * Redis store (scale-out) shares tokens, encrypted, and a refresh lock between replicas.
 */
export interface TokenStore {
  read(upstream: string): Promise<SharedToken | undefined>;
  write(upstream: string, token: SharedToken): Promise<void>;
  /** Runs `fn` holding the refresh lock; `acquired: false` means another holder is refreshing now. */
  withRefreshLock<T>(upstream: string, ttlMs: number, fn: () => Promise<T>): Promise<{ acquired: true; value: T } | { acquired: false }>;
}

/** One process, no sharing: the broker's single flight already makes refreshes exclusive. */
export class InProcessTokenStore implements TokenStore {
  private readonly tokens = new Map<string, SharedToken>();

  async read(upstream: string): Promise<SharedToken | undefined> {
    return this.tokens.get(upstream);
  }

  async write(upstream: string, token: SharedToken): Promise<void> {
    this.tokens.set(upstream, token);
  }

  async withRefreshLock<T>(_upstream: string, _ttlMs: number, fn: () => Promise<T>): Promise<{ acquired: true; value: T }> {
    return { acquired: true, value: await fn() };
  }
}
