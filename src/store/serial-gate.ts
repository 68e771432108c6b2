import { AsyncLocalStorage } from 'node:async_hooks';

/** How a single-connection store brackets a group of transactions and each transaction in it. */
export interface TransactionHooks {
  begin(): void;
  commit(): void;
  rollback(): void;
  savepoint(): void;
  release(): void;
  rollbackToSavepoint(): void;
}

interface Job {
  body: () => Promise<unknown>;
  /** One store call: a failing statement changes nothing, so it needs no savepoint. */
  single: boolean;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

/**
 * Serialises an in-process store around its transactions, and group-commits them. A single
 * connection (SQLite, the fake) runs a transaction's async callback on the one connection, so any
 * other call made meanwhile must wait, or it would run inside that transaction. Transactions (and
 * calls) that arrive while one runs join a group: each runs in its own savepoint, so one that fails
 * rolls back alone, and the group shares one COMMIT. Nobody's promise settles before that COMMIT.
 * On SQLite a commit is what costs (WAL writes), so under load this multiplies throughput.
 */
export class SerialGate {
  private held = false;
  private readonly queue: Job[] = [];
  private readonly inside = new AsyncLocalStorage<true>();
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly hooks: TransactionHooks,
    private readonly maxGroup = 256,
  ) {}

  /** Runs one store call: at once when nothing is running, else as a member of the running group. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    if (!this.held) return fn();
    this.refuseNested();
    return this.enqueue(fn, true);
  }

  /** Runs `body` as one transaction. */
  transaction<T>(body: () => Promise<T>): Promise<T> {
    this.refuseNested();
    return this.enqueue(body, false);
  }

  /** Resolves once no group is running (before closing the connection). */
  idle(): Promise<void> {
    return this.held ? new Promise((resolve) => this.idleWaiters.push(resolve)) : Promise.resolve();
  }

  private refuseNested(): void {
    // Waiting for the gate from inside the transaction that holds it would never end.
    if (this.inside.getStore()) throw new Error('store called directly inside a transaction: use the transaction handle');
  }

  private enqueue<T>(body: () => Promise<T>, single: boolean): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ body, single, resolve: resolve as (v: unknown) => void, reject });
      if (!this.held) void this.runGroups();
    });
  }

  private async runGroups(): Promise<void> {
    this.held = true;
    try {
      while (this.queue.length > 0) await this.runGroup();
    } finally {
      this.held = false;
      for (const wake of this.idleWaiters.splice(0)) wake();
    }
  }

  private async runGroup(): Promise<void> {
    const outcomes: Array<{ job: Job; ok: boolean; value: unknown }> = [];
    try {
      this.hooks.begin();
    } catch (err) {
      for (const job of this.queue.splice(0)) job.reject(err);
      return;
    }
    // Jobs queued while the group runs join it, up to maxGroup.
    while (this.queue.length > 0 && outcomes.length < this.maxGroup) {
      const job = this.queue.shift()!;
      if (!job.single) this.hooks.savepoint();
      try {
        const value = await this.inside.run(true, job.body);
        if (!job.single) this.hooks.release();
        outcomes.push({ job, ok: true, value });
      } catch (err) {
        try {
          if (!job.single) this.hooks.rollbackToSavepoint();
        } catch (fatal) {
          // The database abandoned the whole transaction (I/O error, disk full): the group is lost.
          this.hooks.rollback();
          job.reject(err);
          for (const o of outcomes) o.job.reject(fatal);
          return;
        }
        outcomes.push({ job, ok: false, value: err });
      }
    }
    try {
      this.hooks.commit();
    } catch (err) {
      this.hooks.rollback();
      for (const o of outcomes) o.job.reject(err);
      return;
    }
    for (const o of outcomes) (o.ok ? o.job.resolve : o.job.reject)(o.value);
  }
}
