import path from 'node:path';
import type { Config } from '../config/config.js';
import { SqliteStore } from './sqlite-store.js';
import type { Store } from './store.js';

/** The SQLite file inside DATA_DIR (BRIEF §3.2). */
export function sqliteFile(dataDir: string): string {
  return path.join(dataDir, 'trunkgate.db');
}

/** Opens the configured store: SQLite at DATA_DIR/trunkgate.db (created when missing). */
export function openStore(config: Pick<Config, 'dataDir' | 'databaseUrl'>): Store {
  if (config.databaseUrl) {
    // Refuse rather than silently keep data somewhere the operator did not ask for.
    throw new Error('DATABASE_URL is set, but this build stores data in SQLite only (DATA_DIR); unset DATABASE_URL');
  }
  return SqliteStore.open({ file: sqliteFile(config.dataDir) });
}
