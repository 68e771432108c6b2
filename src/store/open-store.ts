import path from 'node:path';
import type { Config } from '../config/config.js';
import type { Logger } from '../log/logger.js';
import { PgStore } from './pg-store.js';
import { SqliteStore } from './sqlite-store.js';
import type { Store } from './store.js';

/** The SQLite file inside DATA_DIR (docs/design.md, 'Configuration'). */
export function sqliteFile(dataDir: string): string {
  return path.join(dataDir, 'trunkgate.db');
}

/**
 * Opens the configured store: PostgreSQL when DATABASE_URL is set (several replicas may share it),
 * otherwise SQLite at DATA_DIR/trunkgate.db (created when missing; one process only).
 */
export async function openStore(config: Pick<Config, 'dataDir' | 'databaseUrl' | 'databaseSchema' | 'databasePoolSize'>, options: { logger?: Logger } = {}): Promise<Store> {
  if (config.databaseUrl) {
    return PgStore.open({ connectionString: config.databaseUrl, schema: config.databaseSchema, poolSize: config.databasePoolSize, logger: options.logger });
  }
  return SqliteStore.open({ file: sqliteFile(config.dataDir) });
}
