import { AsyncLocalStorage } from 'node:async_hooks';
import type { StoreOps } from './store.js';

/**
 * Serialises an in-process store around its transactions. A single-connection store (SQLite, the
 * fake) runs a transaction's async callback on the one connection, so any other call made while it
 * is open must wait, or it would run inside that transaction (and be rolled back with it).
 * Calls made while no transaction is open run at once.
 */
export class SerialGate {
  private held = false;
  private readonly waiting: Array<() => void> = [];
  private readonly inside = new AsyncLocalStorage<true>();

  /** Runs one store call, after any open transaction. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    this.refuseNested();
    if (!this.held) return fn();
    return this.acquire().then(async () => {
      try {
        return await fn();
      } finally {
        this.release();
      }
    });
  }

  /** Runs `body` with the gate held; `begin`/`commit`/`rollback` bracket it. */
  async transaction<T>(hooks: { begin(): void; commit(): void; rollback(): void }, body: () => Promise<T>): Promise<T> {
    this.refuseNested();
    await this.acquire();
    try {
      hooks.begin();
      let result: T;
      try {
        result = await this.inside.run(true, body);
      } catch (err) {
        hooks.rollback();
        throw err;
      }
      hooks.commit();
      return result;
    } finally {
      this.release();
    }
  }

  private refuseNested(): void {
    // Waiting for the gate from inside the transaction that holds it would never end.
    if (this.inside.getStore()) throw new Error('store called directly inside a transaction: use the transaction handle');
  }

  private acquire(): Promise<void> {
    if (!this.held) {
      this.held = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.held = false;
  }
}

/** The names of the data operations of an ops object (its prototype's methods). */
function opNames(ops: StoreOps): Array<keyof StoreOps> {
  return Object.getOwnPropertyNames(Object.getPrototypeOf(ops)).filter((n) => n !== 'constructor' && typeof (ops as unknown as Record<string, unknown>)[n] === 'function') as Array<keyof StoreOps>;
}

/** `ops` with every call passed through `wrap` (the gate, or a transaction-liveness check). */
export function wrapOps(ops: StoreOps, wrap: <T>(call: () => Promise<T>) => Promise<T>): StoreOps {
  const out: Record<string, unknown> = {};
  for (const name of opNames(ops)) {
    const method = (ops[name] as (...a: unknown[]) => Promise<unknown>).bind(ops);
    out[name] = (...args: unknown[]) => wrap(() => method(...args));
  }
  return out as unknown as StoreOps;
}

/** A transaction handle that refuses calls once its transaction has ended. */
export function transactionHandle(ops: StoreOps): { handle: StoreOps; end(): void } {
  let live = true;
  const handle = wrapOps(ops, (call) => (live ? call() : Promise.reject(new Error('transaction handle used after its transaction ended'))));
  return { handle, end: () => void (live = false) };
}
