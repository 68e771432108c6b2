import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * TEST_DATABASE_URL, or undefined when running locally without PostgreSQL (the suite is then skipped,
 * with a message). In CI a missing URL fails the file: the PostgreSQL store must never silently go untested.
 */
export function testDatabaseUrl(): string | undefined {
  const url = process.env.TEST_DATABASE_URL;
  if (!url && process.env.CI) throw new Error('TEST_DATABASE_URL must be set in CI: the PostgreSQL tests cannot run without it');
  if (!url) process.stderr.write('TEST_DATABASE_URL is not set: skipping the PostgreSQL tests of this file\n');
  return url || undefined;
}

/** A schema name no other test file (or helper sharing this server) uses. */
export function randomSchema(): string {
  return `tg_test_${randomBytes(6).toString('hex')}`;
}

/**
 * One schema for one test file: `drop()` removes it with everything in it; `truncate()` empties its
 * tables between tests (far cheaper than a new schema per test). Never touches another schema.
 */
export function testSchema(url: string) {
  const name = randomSchema();
  const admin = new pg.Pool({ connectionString: url, max: 2, application_name: 'trunkgate-test-admin' });
  return {
    name,
    admin,
    async truncate(): Promise<void> {
      const { rows } = await admin.query<{ tablename: string }>(
        "SELECT tablename FROM pg_tables WHERE schemaname = $1 AND tablename <> 'schema_migrations'",
        [name],
      );
      if (rows.length > 0) await admin.query(`TRUNCATE ${rows.map((r) => `${name}.${r.tablename}`).join(', ')} RESTART IDENTITY`);
    },
    async drop(): Promise<void> {
      await admin.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
      await admin.end();
    },
    /** Ends every connection of `applicationName` (as a server restart or a failover would). */
    async terminate(applicationName: string): Promise<number> {
      const { rowCount } = await admin.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()',
        [applicationName],
      );
      return rowCount ?? 0;
    },
  };
}

/** An application_name unique to one store under test, so a test can find (and cut) its connections. */
export function uniqueAppName(label: string): string {
  return `tg-test-${label}-${randomBytes(4).toString('hex')}`;
}
