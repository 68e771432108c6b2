import { FakeAlertStore } from '../alerts/fake-alert-store.js';
import type { AlertStore } from '../alerts/alert-store.js';
import { SqlAlertStore } from '../alerts/sql-alert-store.js';
import type { AuditStore } from '../audit/audit-store.js';
import { FakeAuditStore } from '../audit/fake-audit-store.js';
import { SqlAuditStore } from '../audit/sql-audit-store.js';
import type { Config } from '../config/config.js';
import { FakeIncidentStore } from '../incidents/fake-incident-store.js';
import { FakeOutboxStore } from '../incidents/fake-outbox-store.js';
import type { IncidentStore } from '../incidents/incident-store.js';
import type { OutboxStore } from '../incidents/outbox-store.js';
import { SqlIncidentStore } from '../incidents/sql-incident-store.js';
import { RELEASE_ALL_CLAIMS, SqlOutboxStore } from '../incidents/sql-outbox-store.js';
import type { Logger } from '../log/logger.js';
import { FakeMaintenanceStore } from '../maintenance/fake-maintenance-store.js';
import type { MaintenanceStore } from '../maintenance/maintenance-store.js';
import { SqlMaintenanceStore } from '../maintenance/sql-maintenance-store.js';
import { FakeDatabase, fakeStoreSet } from '../store/fake-database.js';
import { PgDatabase, type PgDatabaseOptions } from '../store/pg-database.js';
import type { SqlSession } from '../store/sql-session.js';
import { SqliteDatabase, sqliteFile, type SqliteDatabaseOptions } from '../store/sqlite-database.js';
import { sqlStoreSet, type SqlDatabase, type StoreSet } from '../store/store-set.js';
import { FakeTrunkStore } from '../trunks/fake-trunk-store.js';
import { SqlTrunkStore } from '../trunks/sql-trunk-store.js';
import type { TrunkStore } from '../trunks/trunk-store.js';

/** Every store of trunkgate: each feature's own, over one database and one transaction handle. */
export type Stores = TrunkStore & IncidentStore & OutboxStore & AuditStore & AlertStore & MaintenanceStore;

/** The stores, with the database under them (migrations, and the fake's fault switch for tests). */
export type AppStores<D = SqlDatabase | FakeDatabase> = StoreSet<Stores> & { readonly database: D };

const sqlParts = (s: SqlSession) => [
  new SqlTrunkStore(s),
  new SqlIncidentStore(s),
  new SqlOutboxStore(s),
  new SqlAuditStore(s),
  new SqlAlertStore(s),
  new SqlMaintenanceStore(s),
];

function withDatabase<D>(set: StoreSet<Stores>, database: D): AppStores<D> {
  return Object.assign(set, { database });
}

/** The stores on SQLite (one process per file: leases a killed process left behind are released at once). */
export function openSqliteStores(options: SqliteDatabaseOptions): AppStores<SqliteDatabase> {
  const db = SqliteDatabase.open({ onOpen: [RELEASE_ALL_CLAIMS], ...options });
  return withDatabase(sqlStoreSet<Stores>(db, sqlParts), db);
}

/** The stores on PostgreSQL (several replicas may share one schema). */
export async function openPgStores(options: PgDatabaseOptions): Promise<AppStores<PgDatabase>> {
  const db = await PgDatabase.open(options);
  return withDatabase(sqlStoreSet<Stores>(db, sqlParts), db);
}

/**
 * Opens the configured stores: PostgreSQL when DATABASE_URL is set (several replicas may share it),
 * otherwise SQLite at DATA_DIR/trunkgate.db (created when missing; one process only).
 */
export async function openStores(
  config: Pick<Config, 'dataDir' | 'databaseUrl' | 'databaseSchema' | 'databasePoolSize'>,
  options: { logger?: Logger } = {},
): Promise<AppStores<SqlDatabase>> {
  if (config.databaseUrl) {
    return openPgStores({
      connectionString: config.databaseUrl,
      schema: config.databaseSchema,
      poolSize: config.databasePoolSize,
      logger: options.logger,
    });
  }
  return openSqliteStores({ file: sqliteFile(config.dataDir) });
}

/** Every store in memory, with the same contracts (for unit tests of the services). */
export function createFakeStores(): AppStores<FakeDatabase> {
  const db = new FakeDatabase();
  const parts = [
    new FakeTrunkStore(db),
    new FakeIncidentStore(db),
    new FakeOutboxStore(db),
    new FakeAuditStore(db),
    new FakeAlertStore(db),
    new FakeMaintenanceStore(db),
  ];
  return withDatabase(fakeStoreSet<Stores>(db, parts), db);
}
