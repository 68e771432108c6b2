/**
 * Values of a configuration file after `${VAR}` interpolation, where a number or a yes/no may arrive as
 * a string. Problems name the value's JSON Pointer and the rule, never the value.
 */
import { parseBoolean } from './env-reader.js';

export const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A whole number within `range` (a string from `${VAR}` included); undefined when unset or after a problem. */
export function wholeNumber(
  value: number | string | undefined,
  at: string,
  range: { min?: number; max?: number },
  problems: string[],
): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === 'number' ? value : /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
  if (!Number.isSafeInteger(n)) problems.push(`${at}: must be a whole number`);
  else if (range.min !== undefined && n < range.min) problems.push(`${at}: must be at least ${range.min} (got ${n})`);
  else if (range.max !== undefined && n > range.max) problems.push(`${at}: must be at most ${range.max} (got ${n})`);
  else return n;
  return undefined;
}

/** true or false, or the words a yes/no variable takes (`yes`, `off`, `1`…) from `${VAR}`; `fallback` when unset or after a problem. */
export function yesNo(value: boolean | string | undefined, at: string, fallback: boolean, problems: string[]): boolean {
  if (value === undefined || typeof value === 'boolean') return value ?? fallback;
  const parsed = parseBoolean(value);
  if (parsed === undefined) problems.push(`${at}: must be true or false`);
  return parsed ?? fallback;
}

/** The object without its empty strings: `key: ${VAR:-}` counts as a setting left out, as an empty variable does. `keep` keys are left as they are. */
export function withoutEmpty(value: unknown, keep: readonly string[] = []): unknown {
  if (!isRecord(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== '')
      .map(([k, v]) => [k, keep.includes(k) ? v : withoutEmpty(v, keep)]),
  );
}

/**
 * The value at `at` without what the schema refused (`flagged` pointers): the rest of an entry can still
 * be checked for the problems a schema cannot see, so every problem is listed in one go. An array with
 * a refused item goes whole. Undefined when the value itself was refused.
 */
export function withoutFlagged(value: unknown, at: string, flagged: ReadonlySet<string>): unknown {
  if (flagged.has(at)) return undefined;
  if (Array.isArray(value)) return [...flagged].some((p) => p.startsWith(`${at}/`)) ? undefined : value;
  if (!isRecord(value)) return value;
  const kept = Object.entries(value).map(([k, v]) => [k, withoutFlagged(v, `${at}/${k}`, flagged)] as const);
  return Object.fromEntries(kept.filter(([, v]) => v !== undefined));
}
