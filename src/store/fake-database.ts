import { SerialGate } from './serial-gate.js';
import { mergeStores, type StoreEngine, type StoreSet, type Transactional } from './store-set.js';

const ENDED = () => Promise.reject(new Error('transaction handle used after its transaction ended'));

/**
 * The in-memory database the fake stores share, with the same transaction semantics as SQLite: one
 * connection, so calls and transactions go through a SerialGate, and a transaction that fails (or a
 * member of a group commit that fails) rolls back to a snapshot of every table.
 */
export class FakeDatabase implements StoreEngine {
  readonly kind = 'fake' as const;
  private data: Record<string, unknown> = {};
  private groupStart = this.data;
  private savepointAt = this.data;
  private readonly gate = new SerialGate({
    begin: () => void (this.groupStart = structuredClone(this.data)),
    commit: () => undefined,
    rollback: () => void (this.data = this.groupStart),
    savepoint: () => void (this.savepointAt = structuredClone(this.data)),
    release: () => undefined,
    rollbackToSavepoint: () => void (this.data = this.savepointAt),
  });
  /** Set to make every call fail (readiness and failure-path tests). */
  failWith: Error | null = null;

  /** A table of the fake: `init` makes it the first time; read it through the accessor every time (a rollback replaces it). */
  table<T>(name: string, init: () => T): () => T {
    return () => (this.data[name] ??= init()) as T;
  }

  /** One call outside a transaction. */
  run<T>(call: () => Promise<T>): Promise<T> {
    return this.failWith ? Promise.reject(this.failWith) : this.gate.run(call);
  }

  /** `fn` as one transaction; `live()` turns false once it has ended. */
  transaction<T>(fn: (live: () => boolean) => Promise<T>): Promise<T> {
    if (this.failWith) return Promise.reject(this.failWith);
    return this.gate.transaction(async () => {
      let live = true;
      try {
        return await fn(() => live);
      } finally {
        live = false;
      }
    });
  }

  async ping(): Promise<void> {
    if (this.failWith) throw this.failWith;
  }

  async close(): Promise<void> {}
}

/** Binds fake stores (built on `db`'s tables) into a store set with transactions. */
export function fakeStoreSet<S>(db: FakeDatabase, parts: object[]): StoreSet<S> {
  const direct = mergeStores<S>(parts, (call) => db.run(call));
  const engine: Transactional<S> & StoreEngine = {
    kind: db.kind,
    transaction: (fn) => db.transaction((live) => fn(mergeStores<S>(parts, (call) => (live() ? call() : ENDED())))),
    ping: () => db.ping(),
    close: () => db.close(),
  };
  return Object.assign(direct as object, engine) as StoreSet<S>;
}

/** A deep copy, so a fake never hands out (or keeps) an object its caller can change. */
export const copy = <T>(v: T): T => structuredClone(v);
