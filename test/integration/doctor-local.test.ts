import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { TokenCipher } from '../../src/credentials/token-cipher.js';
import { openPgStores } from '../../src/app/stores.js';
import { migrations } from '../../src/store/sql/migrations.js';
import { SqliteDatabase } from '../../src/store/sqlite-database.js';
import { doctorJson, expectNoSecrets } from '../support/doctor-harness.js';
import { testDatabaseUrl, testSchema } from '../support/postgres.js';
import { adminClient, closedPort, deletePrefix, randomPrefix, testRedisUrl } from '../support/redis.js';
import { tempDataDir } from '../support/test-config.js';

// Genesys and ServiceNow on a closed port: those checks fail at once; these tests look at the local ones.
const offline = {
  GENESYS_LOGIN_URL: 'http://127.0.0.1:9',
  GENESYS_API_URL: 'http://127.0.0.1:9',
  GENESYS_CLIENT_ID: 'doctor-test-client',
  GENESYS_CLIENT_SECRET: 'doctor-test-genesys-secret',
  SERVICENOW_INSTANCE_URL: 'http://127.0.0.1:9',
  SERVICENOW_USERNAME: 'integration',
  SERVICENOW_PASSWORD: 'doctor-test-sn-password',
};
const latest = Math.max(...migrations.map((m) => m.version));

/** Names, sizes and modification times of everything in a folder: what "wrote nothing" is checked against. */
function snapshot(dir: string): string[] {
  return fs.readdirSync(dir).map((f) => {
    const s = fs.statSync(path.join(dir, f));
    return `${f}:${s.size}:${s.mtimeMs}`;
  });
}

describe('trunkgate doctor: the SQLite store, without writing into DATA_DIR', () => {
  it('a fresh, never-started data folder is not a failure', async () => {
    const dataDir = path.join(tempDataDir(), 'not-yet');
    const run = await doctorJson({ ...offline, DATA_DIR: dataDir });
    expect(run.check('store')).toMatchObject({
      status: 'pass',
      detail: expect.stringContaining(`SQLite ${dataDir}/trunkgate.db does not exist yet: npm start creates it`),
    });
    expect(fs.existsSync(dataDir)).toBe(false);
  });

  it('an existing store at the current schema passes, and nothing in DATA_DIR changes', async () => {
    const dataDir = tempDataDir();
    const store = SqliteDatabase.open({ file: path.join(dataDir, 'trunkgate.db') });
    await store.close();
    const before = snapshot(dataDir);
    const run = await doctorJson({ ...offline, DATA_DIR: dataDir });
    expect(run.check('store')).toEqual({
      name: 'store',
      status: 'pass',
      detail: `SQLite ${dataDir}/trunkgate.db: schema version ${latest}, current`,
      fix: null,
    });
    expect(snapshot(dataDir)).toEqual(before);
  });

  it('reads a store a running trunkgate holds (its WAL journal included) and says so', async () => {
    const dataDir = tempDataDir();
    const store = SqliteDatabase.open({ file: path.join(dataDir, 'trunkgate.db') });
    try {
      const before = snapshot(dataDir);
      const run = await doctorJson({ ...offline, DATA_DIR: dataDir });
      expect(run.check('store')).toMatchObject({
        status: 'pass',
        detail: expect.stringContaining(
          `schema version ${latest}, current (a WAL journal is present: trunkgate is running on this DATA_DIR`,
        ),
      });
      expect(snapshot(dataDir)).toEqual(before);
    } finally {
      await store.close();
    }
  });

  it('an older schema is a warning (npm start migrates it); a newer one a failure', async () => {
    const dataDir = tempDataDir();
    const file = path.join(dataDir, 'trunkgate.db');
    const store = SqliteDatabase.open({ file, migrations: migrations.slice(0, -1) });
    await store.close();
    let run = await doctorJson({ ...offline, DATA_DIR: dataDir });
    expect(run.check('store')).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining(`is at schema version ${migrations.at(-2)!.version} of ${latest}: npm start applies 1 migration`),
    });
    const db = new Database(file);
    db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(latest + 1, 'from the future', Date.now());
    db.close();
    run = await doctorJson({ ...offline, DATA_DIR: dataDir });
    expect(run.check('store')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining(`was migrated by a newer trunkgate (schema version ${latest + 1} unknown`),
    });
  });

  it('a file that is not a database, and a DATA_DIR below a file, fail with the fix', async () => {
    const dataDir = tempDataDir();
    fs.writeFileSync(path.join(dataDir, 'trunkgate.db'), 'this is not a database, just text of some length '.repeat(20));
    let run = await doctorJson({ ...offline, DATA_DIR: dataDir });
    expect(run.check('store')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('cannot be read as a trunkgate store'),
      fix: expect.stringContaining('DATA_DIR'),
    });
    const file = path.join(tempDataDir(), 'plain-file');
    fs.writeFileSync(file, 'x');
    run = await doctorJson({ ...offline, DATA_DIR: path.join(file, 'data') });
    expect(run.check('store')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('ENOTDIR'),
      fix: expect.stringContaining('set DATA_DIR to a folder'),
    });
  });
});

describe('trunkgate doctor: PostgreSQL', () => {
  const url = testDatabaseUrl();
  const schema = url ? testSchema(url) : undefined;
  afterAll(async () => {
    await schema?.drop();
  });

  it.skipIf(!url)(
    'a schema not created yet passes; after start-up it is current; a database that is not there fails, without showing the password',
    async () => {
      const env = { ...offline, DATABASE_URL: url!, DATABASE_SCHEMA: schema!.name };
      let run = await doctorJson(env);
      expect(run.check('store')).toMatchObject({
        status: 'pass',
        detail: expect.stringMatching(new RegExp(`^PostgreSQL .*, schema ${schema!.name} does not exist yet: npm start creates it$`)),
      });
      // Read-only: the doctor did not create it.
      expect((await schema!.admin.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema!.name])).rowCount).toBe(0);
      const store = await openPgStores({ connectionString: url!, schema: schema!.name });
      await store.close();
      run = await doctorJson(env);
      expect(run.check('store')).toMatchObject({
        status: 'pass',
        detail: expect.stringContaining(`schema ${schema!.name}: schema version ${latest}, current`),
      });
      const wrong = new URL(url!);
      wrong.username = wrong.username || 'postgres';
      wrong.password = 'not-the-db-password-77';
      wrong.pathname = '/no_such_database_for_the_doctor';
      run = await doctorJson({ ...env, DATABASE_URL: wrong.toString() });
      expect(run.check('store')).toMatchObject({
        status: 'fail',
        detail: expect.stringContaining('/no_such_database_for_the_doctor'),
        fix: expect.stringContaining('DATABASE_URL'),
      });
      expectNoSecrets(run.stdout, ['not-the-db-password-77']);
    },
  );
});

describe('trunkgate doctor: Redis', () => {
  const key = 'x'.repeat(43);
  const tokenCacheKey = Buffer.alloc(32, 7).toString('base64');

  it("Redis down: fails with what to check, never the URL's password", async () => {
    const port = await closedPort();
    const run = await doctorJson({ ...offline, REDIS_URL: `redis://:redis-secret-pass@127.0.0.1:${port}`, TOKEN_CACHE_KEY: tokenCacheKey });
    expect(run.check('redis')).toEqual({
      name: 'redis',
      status: 'fail',
      detail: `Redis at 127.0.0.1:${port} cannot be reached (connect ECONNREFUSED 127.0.0.1:${port})`,
      fix: 'check REDIS_URL (host, port, password, rediss:// for TLS) and that this host reaches that server',
    });
    expectNoSecrets(run.stdout, ['redis-secret-pass', tokenCacheKey, key]);
  });

  const redisUrl = testRedisUrl();
  it.skipIf(!redisUrl)('TOKEN_CACHE_KEY opens what another replica shared, and a different key is named as the problem', async () => {
    const prefix = randomPrefix();
    const admin = adminClient(redisUrl!);
    try {
      const env = { ...offline, REDIS_URL: redisUrl!, REDIS_KEY_PREFIX: prefix, TOKEN_CACHE_KEY: tokenCacheKey };
      let run = await doctorJson(env);
      expect(run.check('redis')).toMatchObject({ status: 'pass', detail: expect.stringContaining('no shared token yet') });
      const sealed = await new TokenCipher(Buffer.from(tokenCacheKey, 'base64')).seal('genesys', {
        value: 'shared-token-value-123',
        obtainedAtWall: Date.now(),
        expiresAtWall: Date.now() + 60_000,
        lifetimeMs: 60_000,
        verified: true,
        scopes: [],
      });
      await admin.set(`${prefix}token:genesys`, sealed, 'PX', 60_000);
      run = await doctorJson(env);
      expect(run.check('redis')).toMatchObject({
        status: 'pass',
        detail: expect.stringContaining('TOKEN_CACHE_KEY opens the genesys token another replica shared'),
      });
      run = await doctorJson({ ...env, TOKEN_CACHE_KEY: Buffer.alloc(32, 9).toString('base64') });
      expect(run.check('redis')).toMatchObject({
        status: 'fail',
        detail: expect.stringContaining('sealed with another TOKEN_CACHE_KEY'),
        fix: expect.stringContaining('same TOKEN_CACHE_KEY on every replica'),
      });
      expectNoSecrets(run.stdout, ['shared-token-value-123', tokenCacheKey]);
    } finally {
      await deletePrefix(admin, prefix);
      admin.disconnect();
    }
  });
});
