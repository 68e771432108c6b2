import jsonata from 'jsonata';

/** Values an expression can see besides its root: `$input`, `$steps` and the mapping functions. */
export type Bindings = Record<string, unknown>;

/** A compiled JSONata expression. */
export interface Expression {
  readonly source: string;
  evaluate(root: unknown, bindings: Bindings): Promise<unknown>;
}

/** Thrown for an expression that does not compile; the loader names the file and the place. */
export class ExpressionSyntaxError extends Error {
  constructor(source: string, detail: string) {
    super(`JSONata expression "${source}" does not compile: ${detail}`);
  }
}

const RESERVED = new Set(['and', 'or', 'in', 'true', 'false', 'null']);
const SIMPLE_PATH = /^(\$[A-Za-z_]\w*)?((?:^|\.)[A-Za-z_]\w*)*$/;

/**
 * A plain field path (`sys_id`, `$steps.lookup.sys_id`) is read directly: most mapping values are
 * such paths, and a direct read costs nothing next to a JSONata evaluation (which is asynchronous).
 * Anything the direct read cannot answer exactly as JSONata would — an array on the way — goes to
 * JSONata. Returns undefined when `source` is not a plain path.
 */
function directPath(source: string): ((root: unknown, bindings: Bindings) => { value: unknown } | undefined) | undefined {
  if (source === '' || !SIMPLE_PATH.test(source)) return undefined;
  const parts = source.split('.');
  const variable = parts[0]!.startsWith('$') ? parts.shift()!.slice(1) : undefined;
  if (variable === '' || parts.some((p) => RESERVED.has(p))) return undefined;
  return (root, bindings) => {
    let value: unknown = variable === undefined ? root : bindings[variable];
    if (typeof value === 'function') return undefined;
    for (const part of parts) {
      if (value === undefined || value === null) return { value: undefined };
      if (typeof value !== 'object' || Array.isArray(value)) return undefined;
      value = Object.prototype.hasOwnProperty.call(value, part) ? (value as Record<string, unknown>)[part] : undefined;
    }
    return Array.isArray(value) ? undefined : { value };
  };
}

/** Compiles a JSONata expression once; throws ExpressionSyntaxError with JSONata's own words. */
export function compileExpression(source: string): Expression {
  const text = source.trim();
  let compiled: jsonata.Expression;
  try {
    compiled = jsonata(text);
  } catch (err) {
    const e = err as { message?: string; position?: number };
    throw new ExpressionSyntaxError(text, `${e.message ?? String(err)}${e.position === undefined ? '' : ` (at character ${e.position})`}`);
  }
  const direct = directPath(text);
  return {
    source: text,
    evaluate(root, bindings) {
      const fast = direct?.(root, bindings);
      if (fast) return Promise.resolve(fast.value);
      return (compiled.evaluate(root, bindings) as Promise<unknown>).then(plainValue);
    },
  };
}

/** JSONata marks result sequences with extra array properties; callers get plain arrays. */
function plainValue(value: unknown): unknown {
  return Array.isArray(value) && 'sequence' in value ? Array.from(value) : value;
}

/** JSONata's idea of a true condition, for `when`, `finishWhen` and `notFoundWhen`. */
export function isTruthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(isTruthy);
  return value !== undefined && value !== null && value !== false && value !== 0 && value !== '' && !(typeof value === 'number' && Number.isNaN(value));
}
