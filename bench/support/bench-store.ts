import { randomBytes } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { openPgStores, openSqliteStores, type AppStores as Store } from '../../src/app/stores.js';

export type BenchStoreKind = 'sqlite' | 'postgres';

/**
 * The store a benchmark runs on: BENCH_STORE=sqlite (default, a file under `tmp`) or
 * BENCH_STORE=postgres (BENCH_DATABASE_URL, a fresh schema per run, all dropped by `cleanup()`).
 */
export function benchStores(tmp: string) {
  const kind = (process.env.BENCH_STORE ?? 'sqlite') as BenchStoreKind;
  if (kind !== 'sqlite' && kind !== 'postgres') throw new Error(`BENCH_STORE must be sqlite or postgres (got "${kind}")`);
  const url = process.env.BENCH_DATABASE_URL;
  if (kind === 'postgres' && !url) throw new Error('BENCH_STORE=postgres needs BENCH_DATABASE_URL (postgres://…)');
  const poolSize = Number(process.env.BENCH_PG_POOL ?? 10);
  const prefix = `bench_${randomBytes(4).toString('hex')}`;
  const schemas: string[] = [];
  return {
    kind,
    poolSize: kind === 'postgres' ? poolSize : undefined,
    /** A fresh, empty store for the run called `name`. */
    async open(name: string): Promise<Store> {
      if (kind === 'sqlite') return openSqliteStores({ file: path.join(tmp, name, 'trunkgate.db') });
      const schema = `${prefix}_${name.replace(/[^a-z0-9]/g, '_')}`;
      schemas.push(schema);
      return openPgStores({ connectionString: url!, schema, poolSize, applicationName: 'trunkgate-bench' });
    },
    async cleanup(): Promise<void> {
      if (schemas.length === 0) return;
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      try {
        for (const schema of schemas.splice(0)) await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await admin.end();
      }
    },
  };
}
