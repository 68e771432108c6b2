/**
 * What a SQL store runs its statements on, the same for SQLite and PostgreSQL: one text of SQL with
 * `?` placeholders serves both engines (src/store/sql/), and what differs — locking, and keeping a
 * transaction usable after a statement fails — is behind this interface.
 */
export type SqlRow = Record<string, unknown>;

export interface SqlSession {
  readonly dialect: 'sqlite' | 'postgres';
  /** Inside a transaction (a transaction handle), rather than each statement on its own. */
  readonly inTransaction: boolean;
  /** Runs one statement (`?` placeholders). `rowCount`: rows changed, or returned by a SELECT/RETURNING. */
  query(text: string, params?: unknown[]): Promise<{ rows: SqlRow[]; rowCount: number }>;
  /** Runs `fn` atomically: as part of the open transaction, or in a transaction of its own. */
  atomic<T>(fn: (s: SqlSession) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` so that a statement failing inside it leaves the open transaction usable (a savepoint),
   * as SQLite's statement-level rollback does; PostgreSQL would otherwise abort the whole transaction.
   */
  guarded<T>(fn: () => Promise<T>): Promise<T>;
  /** Holds `key` until the open transaction ends (an advisory lock); nothing outside a transaction or on SQLite. */
  lockKey(key: string): Promise<void>;
}

export async function one(s: SqlSession, text: string, params: unknown[] = []): Promise<SqlRow | undefined> {
  return (await s.query(text, params)).rows[0];
}

export async function all(s: SqlSession, text: string, params: unknown[] = []): Promise<SqlRow[]> {
  return (await s.query(text, params)).rows;
}

export async function run(s: SqlSession, text: string, params: unknown[] = []): Promise<number> {
  return (await s.query(text, params)).rowCount;
}

/**
 * A read `forUpdate` inside a transaction: serialised on `key` across replicas (PostgreSQL advisory
 * lock — a row lock cannot lock a row that is not there yet) and the row read locked; returns the
 * clause to append to the SELECT. SQLite's write transaction already holds the whole database.
 */
export async function forUpdate(s: SqlSession, key: string, options?: { forUpdate?: boolean }): Promise<string> {
  if (!options?.forUpdate || !s.inTransaction || s.dialect !== 'postgres') return '';
  await s.lockKey(key);
  return ' FOR UPDATE';
}

/** `?` placeholders for `count` values. */
export function placeholders(count: number): string {
  return Array.from({ length: count }, () => '?').join(', ');
}

/** SQLite integers 0/1 ↔ booleans; BIGINTs that PostgreSQL hands back as text ↔ numbers. */
export const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v));
export const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : num(v));
export const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
export const boolOrNull = (v: unknown): boolean | null => (v === null || v === undefined ? null : num(v) === 1 || v === true);
export const dbBool = (v: boolean | null): number | null => (v === null ? null : v ? 1 : 0);
export const jsonOrNull = <T>(v: unknown): T | null => (v === null || v === undefined ? null : (JSON.parse(String(v)) as T));

/** `UPDATE table SET …` for the fields present in `patch` (column names from a fixed map, values bound). */
export function updateSql(
  table: string,
  keyColumn: string,
  columns: Record<string, string>,
  patch: Record<string, unknown>,
  key: unknown,
): { text: string; params: unknown[] } | null {
  const sets: string[] = [];
  const params: unknown[] = [];
  for (const [field, value] of Object.entries(patch)) {
    const column = columns[field];
    if (column === undefined || value === undefined) continue;
    sets.push(`${column} = ?`);
    params.push(typeof value === 'boolean' ? (value ? 1 : 0) : value);
  }
  if (sets.length === 0) return null;
  return { text: `UPDATE ${table} SET ${sets.join(', ')} WHERE ${keyColumn} = ?`, params: [...params, key] };
}

/** `?` → `$1, $2…` for PostgreSQL (no statement of ours has a `?` inside a string literal). */
export function toNumberedParams(text: string): string {
  let n = 0;
  return text.replace(/\?/g, () => `$${++n}`);
}
