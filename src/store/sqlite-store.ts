import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS_TABLE, migrationStatements, migrations as allMigrations, type Migration } from './sql/migrations.js';
import { sql } from './sql/statements.js';
import { SerialGate, transactionHandles, wrapOps } from './serial-gate.js';
import { isFileError, storeOpenError } from './sqlite-open-error.js';
import { SqliteOps } from './sqlite-ops.js';
import type { Store, StoreOps } from './store.js';

export interface SqliteStoreOptions {
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
}

/** Thrown when the database file is held by another process. */
export class StoreLockedError extends Error {
  constructor(file: string, cause: unknown) {
    super(`${file} is in use by another trunkgate process (one process per DATA_DIR; use DATABASE_URL to run several replicas)`, { cause });
    this.name = 'StoreLockedError';
  }
}

/** The embedded store: better-sqlite3, WAL journal, versioned migrations applied when opened. */
export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  private readonly gate: SerialGate;
  private readonly ops: SqliteOps;
  private readonly gated: StoreOps;
  private readonly newHandle: ReturnType<typeof transactionHandles>;
  private closed = false;

  private constructor(private readonly db: Database.Database) {
    const statement = (text: string) => {
      const s = db.prepare(text);
      return () => void s.run();
    };
    const [begin, commit, rollback, savepoint, release, rollbackTo] = ['BEGIN IMMEDIATE', 'COMMIT', 'ROLLBACK', 'SAVEPOINT tg_tx', 'RELEASE tg_tx', 'ROLLBACK TO tg_tx'].map(statement) as Array<() => void>;
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
    this.ops = new SqliteOps(db);
    this.gated = wrapOps(this.ops, (call) => this.gate.run(call));
    this.newHandle = transactionHandles(this.ops);
  }

  /** Opens (creating when missing) and migrates the database; a file-system failure throws StoreOpenError. */
  static open(options: SqliteStoreOptions): SqliteStore {
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
      // Exclusive: nobody else can hold a lease, so leases left by a killed process are released now
      // instead of after their expiry.
      if (options.exclusive ?? true) db.prepare(sql.releaseAllClaims).run();
    } catch (err) {
      db.close();
      if ((err as { code?: string }).code === 'SQLITE_BUSY') throw new StoreLockedError(options.file, err);
      // An existing file this process may read but not write opens read-only; the first write fails.
      if (!memory && isFileError(err)) throw storeOpenError(options.file, err);
      throw err;
    }
    return new SqliteStore(db);
  }

  transaction<T>(fn: (tx: StoreOps) => Promise<T>): Promise<T> {
    return this.gate.transaction(async () => {
      const { handle, end } = this.newHandle();
      try {
        return await fn(handle);
      } finally {
        end();
      }
    });
  }

  async ping(): Promise<void> {
    await this.gate.run(async () => {
      if (this.closed) throw new Error('store is closed');
      this.db.prepare(sql.ping).get();
    });
  }

  async close(): Promise<void> {
    await this.gate.idle();
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }

  /** Applied migration versions (for tests and diagnostics). */
  appliedMigrations(): number[] {
    return (this.db.prepare(sql.selectMigrationVersions).all() as Array<{ version: number }>).map((r) => r.version);
  }

  getTrunk: StoreOps['getTrunk'] = (...a) => this.gated.getTrunk(...a);
  listTrunks: StoreOps['listTrunks'] = (...a) => this.gated.listTrunks(...a);
  listTrunksDueToOpen: StoreOps['listTrunksDueToOpen'] = (...a) => this.gated.listTrunksDueToOpen(...a);
  listTrunksOfBase: StoreOps['listTrunksOfBase'] = (...a) => this.gated.listTrunksOfBase(...a);
  upsertTrunk: StoreOps['upsertTrunk'] = (...a) => this.gated.upsertTrunk(...a);
  addTrunkEvent: StoreOps['addTrunkEvent'] = (...a) => this.gated.addTrunkEvent(...a);
  listTrunkEvents: StoreOps['listTrunkEvents'] = (...a) => this.gated.listTrunkEvents(...a);
  markEventProcessed: StoreOps['markEventProcessed'] = (...a) => this.gated.markEventProcessed(...a);
  getIncident: StoreOps['getIncident'] = (...a) => this.gated.getIncident(...a);
  getOpenIncident: StoreOps['getOpenIncident'] = (...a) => this.gated.getOpenIncident(...a);
  getLatestIncident: StoreOps['getLatestIncident'] = (...a) => this.gated.getLatestIncident(...a);
  listOpenIncidents: StoreOps['listOpenIncidents'] = (...a) => this.gated.listOpenIncidents(...a);
  listIncidents: StoreOps['listIncidents'] = (...a) => this.gated.listIncidents(...a);
  listIncidentTrunks: StoreOps['listIncidentTrunks'] = (...a) => this.gated.listIncidentTrunks(...a);
  addIncidentTrunks: StoreOps['addIncidentTrunks'] = (...a) => this.gated.addIncidentTrunks(...a);
  insertIncident: StoreOps['insertIncident'] = (...a) => this.gated.insertIncident(...a);
  updateIncident: StoreOps['updateIncident'] = (...a) => this.gated.updateIncident(...a);
  enqueueDelivery: StoreOps['enqueueDelivery'] = (...a) => this.gated.enqueueDelivery(...a);
  claimDeliveries: StoreOps['claimDeliveries'] = (...a) => this.gated.claimDeliveries(...a);
  completeDelivery: StoreOps['completeDelivery'] = (...a) => this.gated.completeDelivery(...a);
  retryDelivery: StoreOps['retryDelivery'] = (...a) => this.gated.retryDelivery(...a);
  nextDeliveryDueAt: StoreOps['nextDeliveryDueAt'] = (...a) => this.gated.nextDeliveryDueAt(...a);
  outboxDepth: StoreOps['outboxDepth'] = (...a) => this.gated.outboxDepth(...a);
  listStuckDeliveries: StoreOps['listStuckDeliveries'] = (...a) => this.gated.listStuckDeliveries(...a);
  addAudit: StoreOps['addAudit'] = (...a) => this.gated.addAudit(...a);
  listAudit: StoreOps['listAudit'] = (...a) => this.gated.listAudit(...a);
  listAlerts: StoreOps['listAlerts'] = (...a) => this.gated.listAlerts(...a);
  raiseAlert: StoreOps['raiseAlert'] = (...a) => this.gated.raiseAlert(...a);
  updateAlert: StoreOps['updateAlert'] = (...a) => this.gated.updateAlert(...a);
  deleteAlert: StoreOps['deleteAlert'] = (...a) => this.gated.deleteAlert(...a);
  claimAlerts: StoreOps['claimAlerts'] = (...a) => this.gated.claimAlerts(...a);
  releaseAlerts: StoreOps['releaseAlerts'] = (...a) => this.gated.releaseAlerts(...a);
  prune: StoreOps['prune'] = (...a) => this.gated.prune(...a);
}

/** Applies, each in its own transaction, the migrations newer than the database. */
function migrate(db: Database.Database, list: Migration[]): void {
  db.exec(MIGRATIONS_TABLE);
  const applied = new Set((db.prepare(sql.selectMigrationVersions).all() as Array<{ version: number }>).map((r) => Number(r.version)));
  const insert = db.prepare(sql.insertMigration);
  for (const migration of [...list].sort((a, b) => a.version - b.version)) {
    if (applied.has(migration.version)) continue;
    db.transaction(() => {
      for (const statement of migrationStatements(migration, 'sqlite')) db.exec(statement);
      insert.run(migration.version, migration.name, Date.now());
    })();
  }
}
