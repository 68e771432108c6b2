import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { Config } from '../config/config.js';
import { sqliteFile } from '../store/sqlite-database.js';
import { storeOpenError } from '../store/sqlite-open-error.js';
import { migrations } from '../store/sql/migrations.js';
import { VERSION } from '../meta/version.js';
import { count, fail, messageOf, pass, warn, type Check, type CheckOutcome } from './check.js';
import { shownPath } from './probe-parts.js';

/** Where the store stands against the migrations this build knows (src/store/sql/migrations.ts). Pure, for tests. */
export function judgeMigrations(applied: number[], where: string): CheckOutcome {
  const known = migrations.map((m) => m.version);
  const latest = Math.max(...known);
  const unknown = applied.filter((v) => !known.includes(v));
  if (unknown.length > 0) {
    return fail(
      `${where} was migrated by a newer trunkgate (schema version ${unknown.join(', ')} unknown to ${VERSION})`,
      'run the trunkgate version that migrated it, or a newer one (or restore a backup taken before that upgrade)',
    );
  }
  if (applied.length === 0) return pass(`${where} has no trunkgate tables yet: npm start creates them`);
  const pending = migrations.filter((m) => !applied.includes(m.version));
  if (pending.length > 0) {
    return warn(
      `${where} is at schema version ${Math.max(...applied)} of ${latest}: npm start applies ${count(pending.length, 'migration')} (${pending.map((m) => m.name).join('; ')})`,
      'nothing to set: npm start migrates it; take a backup first',
    );
  }
  return pass(`${where}: schema version ${latest}, current`);
}

/** The message of a StoreOpenError for `code` on `at` (never probing by writing), split into what and fix. */
function openProblem(file: string, code: string, at: string): CheckOutcome {
  const message = storeOpenError(file, Object.assign(new Error(code), { code, path: at })).message;
  const cut = message.indexOf('; ');
  return fail(
    cut < 0 ? message : message.slice(0, cut),
    cut < 0 ? 'check that DATA_DIR is a folder trunkgate can write' : message.slice(cut + 2),
  );
}

function writable(p: string): string | undefined {
  try {
    fs.accessSync(p, fs.constants.W_OK);
    return undefined;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? 'EACCES';
  }
}

/**
 * The SQLite store, read without writing a byte into DATA_DIR: opening the file itself, even read-only,
 * would create its -wal and -shm files, so the file (and its WAL journal, if any) is copied away first.
 */
export function sqliteStoreCheck(config: Config): Check {
  const file = sqliteFile(config.dataDir);
  return {
    name: 'store',
    run: async () => {
      if (!fs.existsSync(file)) {
        let at = config.dataDir;
        while (!fs.existsSync(at) && path.dirname(at) !== at) at = path.dirname(at);
        if (!fs.statSync(at).isDirectory()) return openProblem(file, 'ENOTDIR', at);
        const denied = writable(at);
        if (denied) return openProblem(file, denied, at);
        const where = at === config.dataDir ? 'DATA_DIR is writable' : `the folder too: ${at} is writable`;
        return pass(`SQLite ${shownPath(file)} does not exist yet: npm start creates it (${where})`);
      }
      for (const p of [file, config.dataDir]) {
        const denied = writable(p);
        if (denied) return openProblem(file, denied, p);
      }
      const copyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'trunkgate-doctor-'));
      try {
        const copy = path.join(copyDir, 'trunkgate.db');
        fs.copyFileSync(file, copy);
        const wal = fs.existsSync(`${file}-wal`);
        if (wal) fs.copyFileSync(`${file}-wal`, `${copy}-wal`);
        let applied: number[];
        try {
          const db = new Database(copy, { fileMustExist: true });
          try {
            const table = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
            applied = table
              ? (db.prepare('SELECT version FROM schema_migrations').all() as Array<{ version: number }>).map((r) => Number(r.version))
              : [];
          } finally {
            db.close();
          }
        } catch (err) {
          return fail(
            `${shownPath(file)} cannot be read as a trunkgate store: ${messageOf(err)}`,
            "move the file away (npm start then creates a new store), or set DATA_DIR to the folder that holds trunkgate's store",
          );
        }
        const outcome = judgeMigrations(applied, `SQLite ${shownPath(file)}`);
        // With a WAL journal present, trunkgate runs on this DATA_DIR (or stopped without closing).
        return wal
          ? {
              ...outcome,
              detail: `${outcome.detail} (a WAL journal is present: trunkgate is running on this DATA_DIR, or stopped without closing)`,
            }
          : outcome;
      } finally {
        fs.rmSync(copyDir, { recursive: true, force: true });
      }
    },
  };
}

/** host:port/database of DATABASE_URL: never its user or password. */
function shownDatabase(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '5432'}${u.pathname}`;
  } catch {
    return '(unreadable DATABASE_URL)';
  }
}

/** The PostgreSQL store: reachable, the schema there (or creatable), its migrations — in a read-only session. */
export function postgresStoreCheck(config: Config): Check {
  const url = config.databaseUrl!;
  const schema = config.databaseSchema;
  const where = `PostgreSQL ${shownDatabase(url)}, schema ${schema}`;
  return {
    name: 'store',
    timeoutFix: `check that this host reaches the PostgreSQL server of DATABASE_URL (${shownDatabase(url)})`,
    run: async (signal) => {
      const client = new pg.Client({
        connectionString: url,
        connectionTimeoutMillis: 5_000,
        statement_timeout: 5_000,
        query_timeout: 6_000,
        application_name: 'trunkgate-doctor',
        // The doctor never writes: the session refuses to.
        options: '-c default_transaction_read_only=on',
      });
      client.on('error', () => undefined);
      const onAbort = () => void client.end().catch(() => undefined);
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        try {
          await client.connect();
        } catch (err) {
          return fail(
            `cannot connect to ${shownDatabase(url)}: ${messageOf(err)}`,
            'check DATABASE_URL (host, port, user, password, database) and that this host reaches that server',
          );
        }
        const exists = (await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema])).rowCount === 1;
        if (!exists) {
          const { rows } = await client.query<{ ok: boolean }>("SELECT has_database_privilege(current_database(), 'CREATE') AS ok");
          if (!rows[0]?.ok)
            return fail(
              `${where}: the schema does not exist and this user may not create it`,
              `create the schema ${schema} for this user (CREATE SCHEMA ${schema} AUTHORIZATION <user>), or set DATABASE_SCHEMA to one it owns`,
            );
          return pass(`${where} does not exist yet: npm start creates it`);
        }
        const table = (await client.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [`${schema}.schema_migrations`]))
          .rows[0]?.t;
        if (!table) {
          const { rows } = await client.query<{ ok: boolean }>("SELECT has_schema_privilege($1, 'CREATE') AS ok", [schema]);
          if (!rows[0]?.ok)
            return fail(
              `${where}: no trunkgate tables yet, and this user may not create tables in the schema`,
              `GRANT CREATE ON SCHEMA ${schema} TO <the DATABASE_URL user>, or set DATABASE_SCHEMA to a schema it owns`,
            );
          return judgeMigrations([], where);
        }
        const { rows } = await client.query<{ version: number }>(`SELECT version FROM ${schema}.schema_migrations`);
        return judgeMigrations(
          rows.map((r) => Number(r.version)),
          where,
        );
      } finally {
        signal.removeEventListener('abort', onAbort);
        await client.end().catch(() => undefined);
      }
    },
  };
}

export function storeCheck(config: Config): Check {
  return config.databaseUrl ? postgresStoreCheck(config) : sqliteStoreCheck(config);
}
