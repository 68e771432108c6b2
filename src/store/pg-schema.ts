import type { PoolClient } from 'pg';
import { INSERT_MIGRATION, MIGRATIONS_TABLE, SELECT_MIGRATION_VERSIONS, migrationStatements, type Migration } from './sql/migrations.js';
import { toNumberedParams } from './sql-session.js';

/** A schema name usable unquoted in SQL and in the connection's `search_path` option. */
export function assertSchemaName(schema: string): void {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema))
    throw new Error(`invalid PostgreSQL schema name "${schema}": use lower-case letters, digits and _`);
}

/** Startup options of every connection: trunkgate's schema first on the search path. */
export function searchPathOption(schema: string): string {
  return `-c search_path=${schema}`;
}

/**
 * Creates the schema when missing and applies the migrations newer than it, all in one transaction
 * under an advisory lock: replicas starting together wait for the first one instead of racing it
 * (two `CREATE TABLE`s of one table fail). PostgreSQL DDL is transactional, so a failed migration
 * leaves nothing half-applied. Returns the versions applied now.
 */
export async function migrateSchema(client: PoolClient, schema: string, migrations: Migration[]): Promise<number[]> {
  const appliedNow: number[] = [];
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`trunkgate:migrate:${schema}`]);
    // Checked first: CREATE SCHEMA IF NOT EXISTS still needs the CREATE privilege on the database,
    // which a role given only an existing schema lacks.
    const exists = (await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema])).rowCount === 1;
    if (!exists) await client.query(`CREATE SCHEMA ${schema}`);
    await client.query(MIGRATIONS_TABLE);
    const applied = new Set((await client.query<{ version: number }>(SELECT_MIGRATION_VERSIONS)).rows.map((r) => Number(r.version)));
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (applied.has(migration.version)) continue;
      for (const statement of migrationStatements(migration, 'postgres')) await client.query(statement);
      await client.query(toNumberedParams(INSERT_MIGRATION), [migration.version, migration.name, Date.now()]);
      appliedNow.push(migration.version);
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
  return appliedNow;
}
