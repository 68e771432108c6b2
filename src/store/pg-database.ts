import { AsyncLocalStorage } from 'node:async_hooks';
import pg from 'pg';
import { StoreUnavailableError } from '../errors/app-error.js';
import type { Logger } from '../log/logger.js';
import { assertSchemaName, migrateSchema, searchPathOption } from './pg-schema.js';
import { SELECT_MIGRATION_VERSIONS, migrations as allMigrations, type Migration } from './sql/migrations.js';
import { toNumberedParams, type SqlRow, type SqlSession } from './sql-session.js';
import type { SqlDatabase } from './store-set.js';

type PgRow = SqlRow;
type PgSession = SqlSession;

export interface PgDatabaseOptions {
  /** `postgres://user:password@host:port/database` (DATABASE_URL). */
  connectionString: string;
  /** Schema holding the tables, created when missing (default `public`). */
  schema?: string;
  /** Most connections this process opens (default 10). */
  poolSize?: number;
  /** The server cancels a statement running longer than this (default 15 s). */
  statementTimeoutMs?: number;
  /** Connecting (or waiting for a free pooled connection) fails after this (default 5 s). */
  connectTimeoutMs?: number;
  /** Shown in `pg_stat_activity` (default `trunkgate`). */
  applicationName?: string;
  migrations?: Migration[];
  logger?: Logger;
}

/** Errors after which a transaction is simply run again (deadlock_detected, serialization_failure). */
const RETRYABLE = new Set(['40P01', '40001']);
/**
 * The server ended the connection before our statement ran (admin_shutdown: a restart, a failover,
 * pg_terminate_backend; crash_shutdown; cannot_connect_now). Nothing was executed, so the statement or
 * transaction is run again on another connection; each dead idle connection of the pool costs one try.
 */
const DEAD_CONNECTION = new Set(['57P01', '57P02', '57P03']);
const MAX_ATTEMPTS = 3;
/**
 * Errors that mean the database cannot be reached at all, rather than that a statement was wrong:
 * the network (refused, reset, unreachable, DNS), connection_exception (class 08), the server going
 * away (57P0x, once our own retries are spent) or out of connections (53300).
 */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  '57P01',
  '57P02',
  '57P03',
  '53300',
]);
/** What pg and pg-pool say, without a code, when a connection cannot be made or was lost. */
const UNREACHABLE_MESSAGE = /^(timeout exceeded when trying to connect|Connection terminated|Query read timeout)/;

/** Rethrows an "unreachable" failure as StoreUnavailableError (HTTP 503, Retry-After); others as they are. */
function rethrowUnreachable(err: unknown): never {
  const code = (err as { code?: unknown } | null)?.code;
  const unreachable =
    !(err instanceof StoreUnavailableError) &&
    ((typeof code === 'string' && (UNREACHABLE_CODES.has(code) || code.startsWith('08'))) ||
      (err instanceof Error && UNREACHABLE_MESSAGE.test(err.message)));
  // The public message names the engine only; host and port stay in the cause, for the log.
  throw unreachable
    ? new StoreUnavailableError('The store (PostgreSQL) cannot be reached; nothing was recorded, try again later', err)
    : err;
}
/** Statements given a server-side prepared name; generated texts beyond this run unnamed. */
const MAX_NAMED = 500;
const NESTED = () => Promise.reject(new Error('store called directly inside a transaction: use the transaction handle'));
const ENDED = () => Promise.reject(new Error('transaction handle used after its transaction ended'));

type QueryTarget = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;

/**
 * The store on PostgreSQL, for several replicas sharing one database: a bounded pool, each
 * transaction on a connection of its own, migrations applied once under an advisory lock. Unlike
 * SQLite it never releases delivery leases at start-up: other replicas may hold them.
 */
export class PgDatabase implements SqlDatabase {
  readonly kind = 'postgres' as const;
  readonly session: SqlSession;
  private readonly inside = new AsyncLocalStorage<true>();
  private readonly named = new Map<string, pg.QueryConfig>();
  private closed = false;

  private constructor(
    private readonly pool: pg.Pool,
    readonly schema: string,
  ) {
    this.session = {
      dialect: 'postgres',
      inTransaction: false,
      query: (text, params) => (this.inside.getStore() ? NESTED() : this.query(this.pool, text, params).catch(rethrowUnreachable)),
      atomic: (fn) => (this.inside.getStore() ? NESTED() : this.transactionOn(fn).catch(rethrowUnreachable)),
      guarded: (fn) => fn(),
      lockKey: async () => undefined,
    };
  }

  /** Connects, creates the schema and applies pending migrations (waiting for a replica doing the same). */
  static async open(options: PgDatabaseOptions): Promise<PgDatabase> {
    const schema = options.schema ?? 'public';
    assertSchemaName(schema);
    const statementTimeoutMs = options.statementTimeoutMs ?? 15_000;
    const pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
      idleTimeoutMillis: 30_000,
      application_name: options.applicationName ?? 'trunkgate',
      options: searchPathOption(schema),
      statement_timeout: statementTimeoutMs,
      // A transaction left open (a bug, a frozen process) must not hold its locks for ever.
      idle_in_transaction_session_timeout: Math.max(60_000, statementTimeoutMs),
      // The server cannot cancel anything when the network is gone: give up on our side as well.
      query_timeout: statementTimeoutMs + 5_000,
      keepAlive: true,
    });
    const log = options.logger?.child({ module: 'store/postgres' });
    // An idle connection that dies (server restart, failover) is replaced by the pool; without a
    // listener its 'error' event would end the process.
    pool.on('error', (err) => log?.warn('a pooled PostgreSQL connection failed; it will be replaced', { err }));
    try {
      const client = await pool.connect();
      try {
        const applied = await migrateSchema(client, schema, options.migrations ?? allMigrations);
        if (applied.length > 0) log?.info('applied store migrations', { schema, versions: applied });
      } finally {
        client.release();
      }
    } catch (err) {
      await pool.end().catch(() => undefined);
      // Names what failed for the operator; pg's messages carry host and user, never the password.
      throw new Error(`cannot open the PostgreSQL store (DATABASE_URL, schema ${schema}): ${(err as Error).message}`, { cause: err });
    }
    return new PgDatabase(pool, schema);
  }

  transaction<T>(fn: (tx: SqlSession) => Promise<T>): Promise<T> {
    if (this.inside.getStore()) return NESTED();
    return this.transactionOn((session) => this.inside.run(true, () => fn(session))).catch(rethrowUnreachable);
  }

  async ping(): Promise<void> {
    if (this.closed) throw new Error('store is closed');
    await this.query(this.pool, 'SELECT 1 AS ok');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  /** Applied migration versions (for tests and diagnostics). */
  async appliedMigrations(): Promise<number[]> {
    return (await this.query(this.pool, SELECT_MIGRATION_VERSIONS)).rows.map((r) => Number(r.version));
  }

  /** Runs `body` in a transaction on one pooled connection; a deadlock victim is run again. */
  private async transactionOn<T>(body: (session: PgSession) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.attempt(body);
      } catch (err) {
        const code = (err as { code?: string }).code ?? '';
        const retry =
          (RETRYABLE.has(code) && attempt < MAX_ATTEMPTS) || (DEAD_CONNECTION.has(code) && attempt <= this.deadConnectionTries());
        if (!retry) throw err;
      }
    }
  }

  private async attempt<T>(body: (session: PgSession) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let ended = false;
    let broken: Error | undefined;
    // A checked-out connection has no pool listener: keep its failure for release() instead of crashing.
    const onError = (err: Error) => void (broken = err);
    client.on('error', onError);
    let guard: Promise<unknown> = Promise.resolve();
    const session: PgSession = {
      dialect: 'postgres',
      inTransaction: true,
      query: (text, params) => (ended ? ENDED() : this.query(client, text, params)),
      atomic: (fn) => fn(session),
      // One savepoint at a time on the connection, even when the callback runs calls side by side.
      guarded: (fn) => {
        const run = guard.then(() => this.savepoint(client, fn));
        guard = run.catch(() => undefined);
        return run;
      },
      lockKey: async (key) => void (await this.query(client, 'SELECT pg_advisory_xact_lock(hashtext(?))', [`${this.schema}:${key}`])),
    };
    try {
      await client.query('BEGIN');
      const result = await body(session);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch((rollbackErr: Error) => void (broken ??= rollbackErr));
      throw err;
    } finally {
      ended = true;
      client.removeListener('error', onError);
      // A connection that failed is destroyed rather than handed to the next caller.
      client.release(broken);
    }
  }

  private async savepoint<T>(client: pg.PoolClient, fn: () => Promise<T>): Promise<T> {
    await client.query('SAVEPOINT tg_statement');
    try {
      const result = await fn();
      await client.query('RELEASE SAVEPOINT tg_statement');
      return result;
    } catch (err) {
      await client.query('ROLLBACK TO SAVEPOINT tg_statement');
      await client.query('RELEASE SAVEPOINT tg_statement');
      throw err;
    }
  }

  /** Runs `?`-style SQL as a named (server-side prepared) statement. */
  private async query(target: QueryTarget, text: string, params: unknown[] = []): Promise<{ rows: PgRow[]; rowCount: number }> {
    let config = this.named.get(text);
    if (!config) {
      config = { text: toNumberedParams(text) };
      if (this.named.size < MAX_NAMED) {
        config.name = `tg_${this.named.size + 1}`;
        this.named.set(text, config);
      }
    }
    for (let attempt = 1; ; attempt += 1) {
      try {
        const result = await target.query<PgRow>({ ...config, values: params });
        return { rows: result.rows, rowCount: result.rowCount ?? 0 };
      } catch (err) {
        // Only a statement of its own on the pool is run again; inside a transaction the whole transaction is.
        if (target !== this.pool || !DEAD_CONNECTION.has((err as { code?: string }).code ?? '') || attempt > this.deadConnectionTries())
          throw err;
      }
    }
  }

  private deadConnectionTries(): number {
    return (this.pool.options.max ?? 10) + 1;
  }
}
