import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SerialGate } from './serial-gate.js';
import {
  INSERT_MIGRATION,
  MIGRATIONS_TABLE,
  SELECT_MIGRATION_VERSIONS,
  migrationStatements,
  migrations as allMigrations,
  type Migration,
} from './sql/migrations.js';
import type { SqlRow, SqlSession } from './sql-session.js';
import { isFileError, storeOpenError } from './sqlite-open-error.js';
import type { SqlDatabase } from './store-set.js';

export interface SqliteDatabaseOptions {
  /** The database file (created with its folder when missing), or ':memory:'. */
  file: string;
  busyTimeoutMs?: number;
  /**
   * Hold the file for this process alone (SQLite `locking_mode=EXCLUSIVE`; default true). A second
   * trunkgate on the same DATA_DIR then fails at start instead of sharing the outbox, which is what
   * makes it safe to take over the delivery leases a killed process left behind.
   */
  exclusive?: boolean;
  migrations?: Migration[];
  /** Statements run once the schema is current, in the same exclusive hold (e.g. releasing dead leases). */
  onOpen?: string[];
}

/** The SQLite file inside DATA_DIR (docs/design.md, 'Configuration'). */
export function sqliteFile(dataDir: string): string {
  return path.join(dataDir, 'trunkgate.db');
}

/** Thrown when the database file is held by another process. */
export class StoreLockedError extends Error {
  constructor(file: string, cause: unknown) {
    super(`${file} is in use by another trunkgate process (one process per DATA_DIR; use DATABASE_URL to run several replicas)`, { cause });
    this.name = 'StoreLockedError';
  }
}

const ENDED = () => Promise.reject(new Error('transaction handle used after its transaction ended'));

/**
 * The embedded database: better-sqlite3, WAL journal, versioned migrations applied when opened. The
 * driver is synchronous and the connection single, so transactions (async callbacks) go through a
 * SerialGate, which also group-commits them; a statement outside a transaction waits its turn.
 */
export class SqliteDatabase implements SqlDatabase {
  readonly kind = 'sqlite' as const;
  readonly session: SqlSession;
  readonly gate: SerialGate;
  private readonly cache = new Map<string, { statement: Database.Statement; reader: boolean }>();
  private closed = false;

  private constructor(private readonly db: Database.Database) {
    const statement = (text: string) => {
      const s = db.prepare(text);
      return () => void s.run();
    };
    const [begin, commit, rollback, savepoint, release, rollbackTo] = [
      'BEGIN IMMEDIATE',
      'COMMIT',
      'ROLLBACK',
      'SAVEPOINT tg_tx',
      'RELEASE tg_tx',
      'ROLLBACK TO tg_tx',
    ].map(statement) as Array<() => void>;
    this.gate = new SerialGate({
      begin: begin!,
      commit: commit!,
      rollback: () => {
        if (db.inTransaction) rollback!();
      },
      savepoint: savepoint!,
      release: release!,
      rollbackToSavepoint: () => {
        rollbackTo!();
        release!();
      },
    });
    this.session = new SqliteSession(this, false);
  }

  /** Opens (creating when missing) and migrates the database; a file-system failure throws StoreOpenError. */
  static open(options: SqliteDatabaseOptions): SqliteDatabase {
    const memory = options.file === ':memory:';
    const busyTimeoutMs = options.busyTimeoutMs ?? 5_000;
    let db: Database.Database;
    try {
      if (!memory) fs.mkdirSync(path.dirname(options.file), { recursive: true });
      db = new Database(options.file, { timeout: busyTimeoutMs });
    } catch (err) {
      throw storeOpenError(options.file, err);
    }
    try {
      db.pragma(`busy_timeout = ${Math.trunc(busyTimeoutMs)}`);
      // Set before entering WAL: an exclusive connection then keeps no shared-memory index.
      if (options.exclusive ?? true) db.pragma('locking_mode = EXCLUSIVE');
      db.pragma('journal_mode = WAL');
      // WAL + NORMAL: a commit survives a process crash (kill -9); only an OS crash can lose the last ones.
      db.pragma('synchronous = NORMAL');
      // Checkpoints are where SQLite fsyncs; every 10,000 pages (~40 MB of WAL) instead of 1,000 keeps
      // them off the per-decision path (measured: small writes 4× faster).
      db.pragma('wal_autocheckpoint = 10000');
      db.pragma('cache_size = -32000'); // 32 MB of page cache (the default is 2 MB)
      db.pragma('temp_store = MEMORY');
      // A write transaction now takes (and, when exclusive, keeps) the file's write lock.
      db.exec('BEGIN IMMEDIATE');
      db.exec('COMMIT');
      migrate(db, options.migrations ?? allMigrations);
      // Exclusive: nobody else can hold what these statements release (leases of a killed process).
      if (options.exclusive ?? true) for (const statement of options.onOpen ?? []) db.prepare(statement).run();
    } catch (err) {
      db.close();
      if ((err as { code?: string }).code === 'SQLITE_BUSY') throw new StoreLockedError(options.file, err);
      // An existing file this process may read but not write opens read-only; the first write fails.
      if (!memory && isFileError(err)) throw storeOpenError(options.file, err);
      throw err;
    }
    return new SqliteDatabase(db);
  }

  transaction<T>(fn: (tx: SqlSession) => Promise<T>): Promise<T> {
    return this.gate.transaction(async () => {
      const session = new SqliteSession(this, true);
      try {
        return await fn(session);
      } finally {
        session.live = false;
      }
    });
  }

  async ping(): Promise<void> {
    await this.gate.run(async () => {
      if (this.closed) throw new Error('store is closed');
      this.db.prepare('SELECT 1 AS ok').get();
    });
  }

  async close(): Promise<void> {
    await this.gate.idle();
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }

  async appliedMigrations(): Promise<number[]> {
    return (this.db.prepare(SELECT_MIGRATION_VERSIONS).all() as Array<{ version: number }>).map((r) => r.version);
  }

  /** One statement, synchronously (the caller holds the gate, or needs none); for SqliteSession. */
  exec(text: string, params: unknown[]): { rows: SqlRow[]; rowCount: number } {
    let prepared = this.cache.get(text);
    if (!prepared) {
      const statement = this.db.prepare(text);
      prepared = { statement, reader: statement.reader };
      this.cache.set(text, prepared);
    }
    const values = params.includes(undefined) ? params.map((p) => (p === undefined ? null : p)) : params;
    if (prepared.reader) {
      const rows = prepared.statement.all(...values) as SqlRow[];
      return { rows, rowCount: rows.length };
    }
    return { rows: [], rowCount: prepared.statement.run(...values).changes };
  }
}

/**
 * Statements on the SQLite connection: each on its own through the gate, or inside a transaction the
 * gate already runs (then synchronously, in order). A class, not closures: one is made per transaction.
 */
class SqliteSession implements SqlSession {
  readonly dialect = 'sqlite' as const;
  /** Turns false when its transaction ends: a handle kept after that fails instead of running outside it. */
  live = true;

  constructor(
    private readonly db: SqliteDatabase,
    readonly inTransaction: boolean,
  ) {}

  query(text: string, params: unknown[] = []): Promise<{ rows: SqlRow[]; rowCount: number }> {
    if (!this.live) return ENDED();
    if (!this.inTransaction) return this.db.gate.run(async () => this.db.exec(text, params));
    try {
      return Promise.resolve(this.db.exec(text, params));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Inside a transaction its statements already commit or roll back together. */
  atomic<T>(fn: (s: SqlSession) => Promise<T>): Promise<T> {
    if (!this.live) return ENDED();
    return this.inTransaction ? fn(this) : this.db.transaction(fn);
  }

  /** A failing SQLite statement changes nothing and leaves the transaction usable. */
  guarded<T>(fn: () => Promise<T>): Promise<T> {
    return fn();
  }

  async lockKey(): Promise<void> {}
}

/** Applies, each in its own transaction, the migrations newer than the database. */
function migrate(db: Database.Database, list: Migration[]): void {
  db.exec(MIGRATIONS_TABLE);
  const applied = new Set((db.prepare(SELECT_MIGRATION_VERSIONS).all() as Array<{ version: number }>).map((r) => Number(r.version)));
  const insert = db.prepare(INSERT_MIGRATION);
  for (const migration of [...list].sort((a, b) => a.version - b.version)) {
    if (applied.has(migration.version)) continue;
    db.transaction(() => {
      for (const statement of migrationStatements(migration, 'sqlite')) db.exec(statement);
      insert.run(migration.version, migration.name, Date.now());
    })();
  }
}
