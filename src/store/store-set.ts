import type { SqlSession } from './sql-session.js';

/** Runs `fn` atomically with a handle on the same stores; inside it, use only that handle. */
export interface Transactional<S> {
  transaction<T>(fn: (tx: S) => Promise<T>): Promise<T>;
}

/** The lifecycle side of a set of stores: which engine, is it there, let it go. */
export interface StoreEngine {
  readonly kind: 'sqlite' | 'postgres' | 'fake';
  /** Resolves when the database answers a trivial query (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Several small stores (trunks, incidents, outbox, audit, alerts…) over one database, called each on
 * its own or together in one transaction: `S` is the intersection of their interfaces, and a service
 * asks only for the slice it uses.
 */
export type StoreSet<S> = S & Transactional<S> & StoreEngine;

/** A SQL database both engines provide: statements on their own, or in a transaction. */
export interface SqlDatabase extends StoreEngine {
  readonly kind: 'sqlite' | 'postgres';
  /** Statements each on their own (autocommit). */
  readonly session: SqlSession;
  transaction<T>(fn: (tx: SqlSession) => Promise<T>): Promise<T>;
  /** Applied migration versions (for tests and diagnostics). */
  appliedMigrations(): Promise<number[]>;
}

/** Method names per class (prototype): worked out once, since a store set is merged again for every transaction. */
const methodsOfClass = new WeakMap<object, readonly string[]>();

/** The methods of `part`'s class (its prototype and their parents, up to Object); never its own fields. */
function methodNames(part: object): readonly string[] {
  const proto = Object.getPrototypeOf(part) as object;
  let names = methodsOfClass.get(proto);
  if (!names) {
    const found = new Set<string>();
    for (let p = proto; p && p !== Object.prototype; p = Object.getPrototypeOf(p) as object) {
      for (const name of Object.getOwnPropertyNames(p))
        if (name !== 'constructor' && typeof (p as Record<string, unknown>)[name] === 'function') found.add(name);
    }
    names = [...found];
    methodsOfClass.set(proto, names);
  }
  return names;
}

/**
 * One object with the methods of every part, each bound to its part (and passed through `wrap`, when
 * given). Two parts may not share a method name: each store names its operations after what they do.
 */
export function mergeStores<S>(parts: object[], wrap?: (call: () => Promise<unknown>) => Promise<unknown>): S {
  const out: Record<string, unknown> = {};
  for (const part of parts) {
    for (const name of methodNames(part)) {
      if (name in out) throw new Error(`two stores define ${name}`);
      const method = (part as Record<string, (...a: unknown[]) => Promise<unknown>>)[name]!;
      out[name] = wrap ? (...args: unknown[]) => wrap(() => method.apply(part, args)) : (...args: unknown[]) => method.apply(part, args);
    }
  }
  return out as S;
}

/**
 * Makes transaction handles for parts shaped like `sample`: the methods are laid out once on a shared
 * prototype, so a handle costs one object per transaction instead of a closure per method (every
 * decision is a transaction). Call a handle's methods on it (`tx.getTrunk(…)`), never detached.
 */
function handleFactory<S>(sample: object[]): (parts: object[]) => S {
  const proto: Record<string, unknown> = {};
  sample.forEach((part, i) => {
    for (const name of methodNames(part)) {
      if (name in proto) throw new Error(`two stores define ${name}`);
      proto[name] = function (this: { parts: Array<Record<string, (...a: unknown[]) => unknown>> }, ...args: unknown[]) {
        return this.parts[i]![name]!(...args);
      };
    }
  });
  return (parts) => Object.assign(Object.create(proto) as object, { parts }) as S;
}

/** Binds SQL stores to a database: `make` builds them on a session (the database's own, or a transaction's). */
export function sqlStoreSet<S>(db: SqlDatabase, make: (session: SqlSession) => object[]): StoreSet<S> {
  const parts = make(db.session);
  const direct = mergeStores<S>(parts);
  const handle = handleFactory<S>(parts);
  const engine: Transactional<S> & StoreEngine = {
    kind: db.kind,
    transaction: (fn) => db.transaction((session) => fn(handle(make(session)))),
    ping: () => db.ping(),
    close: () => db.close(),
  };
  return Object.assign(direct as object, engine) as StoreSet<S>;
}

/**
 * Another writer made a conflicting write first (a unique index refused ours, e.g. a second open
 * incident for one subject): the transaction is worth running again on what is there now.
 */
export class WriteConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WriteConflictError';
  }
}

/** Runs `fn` (a whole transaction) again, once, when another writer got there first. */
export async function retryOnConflict<T>(fn: () => Promise<T>, onConflict?: (err: WriteConflictError) => void): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (!(err instanceof WriteConflictError)) throw err;
    onConflict?.(err);
    return fn();
  }
}
