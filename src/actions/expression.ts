import jsonata from 'jsonata';

/** Values an expression can see besides its root: `$input`, `$steps` and the mapping functions. */
export type Bindings = Record<string, unknown>;

/** A value now, or later when JSONata has to run (it is asynchronous). */
export type MaybePromise<T> = T | Promise<T>;

/** A compiled JSONata expression. */
export interface Expression {
  readonly source: string;
  /**
   * The value for `root`; synchronous when the expression is a plain path or a mapping function of
   * one: every `await` costs a promise, and with AsyncLocalStorage (request ids in logs) each promise
   * runs a hook — on the hot path that tripled the cost of a mapping run.
   */
  evaluate(root: unknown, bindings: Bindings): MaybePromise<unknown>;
}

/** Thrown for an expression that does not compile; the loader names the file and the place. */
export class ExpressionSyntaxError extends Error {
  constructor(source: string, detail: string) {
    super(`JSONata expression "${source}" does not compile: ${detail}`);
  }
}

const RESERVED = new Set(['and', 'or', 'in', 'true', 'false', 'null']);
const SEGMENT = /^([A-Za-z_]\w*)(?:\[(\d+)\])?$/;

/**
 * A plain field path (`sys_id`, `result[0]`, `$steps.lookup.sys_id`) is read directly: most mapping
 * values are such paths, and a direct read costs nothing next to a JSONata evaluation (which is
 * asynchronous). Anything the direct read cannot answer exactly as JSONata would — an array to map
 * over — goes to JSONata. Returns undefined when `source` is not a plain path.
 */
function directPath(source: string): ((root: unknown, bindings: Bindings) => { value: unknown } | undefined) | undefined {
  const parts = source.split('.');
  const variable = parts[0]!.startsWith('$') ? parts.shift()!.slice(1) : undefined;
  if (variable !== undefined && !/^[A-Za-z_]\w*$/.test(variable)) return undefined;
  const steps: Array<{ name: string; index?: number }> = [];
  for (const part of parts) {
    const m = SEGMENT.exec(part);
    if (!m || RESERVED.has(m[1]!)) return undefined;
    steps.push({ name: m[1]!, ...(m[2] === undefined ? {} : { index: Number(m[2]) }) });
  }
  if (variable === undefined && steps.length === 0) return undefined;
  return (root, bindings) => {
    let value: unknown = variable === undefined ? root : bindings[variable];
    if (typeof value === 'function') return undefined;
    for (const step of steps) {
      if (value === undefined || value === null) return { value: undefined };
      if (typeof value !== 'object' || Array.isArray(value)) return undefined;
      value = Object.prototype.hasOwnProperty.call(value, step.name) ? (value as Record<string, unknown>)[step.name] : undefined;
      if (step.index !== undefined && value !== undefined) {
        // JSONata: `x[0]` is the first item of an array, or x itself when x is a single value.
        if (Array.isArray(value)) value = value[step.index];
        else value = step.index === 0 ? value : undefined;
        if (Array.isArray(value)) return undefined;
      }
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
  const direct = directPath(text) ?? functionOfPath(text);
  return {
    source: text,
    evaluate(root, bindings) {
      const fast = direct?.(root, bindings);
      if (fast) return fast.value;
      return (compiled.evaluate(root, bindings) as Promise<unknown>).then(plainValue);
    },
  };
}

/** `$fn(plain.path)` with `fn` a mapping function (a JS function in the bindings): called directly. */
function functionOfPath(source: string): ((root: unknown, bindings: Bindings) => { value: unknown } | undefined) | undefined {
  const m = /^\$([A-Za-z_]\w*)\(\s*([^()\s]+)\s*\)$/.exec(source);
  const arg = m ? directPath(m[2]!) : undefined;
  if (!m || !arg) return undefined;
  const name = m[1]!;
  return (root, bindings) => {
    const fn = bindings[name];
    const value = typeof fn === 'function' ? arg(root, bindings) : undefined;
    return value && { value: (fn as (v: unknown) => unknown)(value.value) };
  };
}

/** JSONata marks result sequences with extra array properties; callers get plain arrays. */
function plainValue(value: unknown): unknown {
  return Array.isArray(value) && 'sequence' in value ? Array.from(value) : value;
}

/** JSONata's idea of a true condition, for `when`, `finishWhen` and `notFoundWhen`. */
export function isTruthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(isTruthy);
  return (
    value !== undefined &&
    value !== null &&
    value !== false &&
    value !== 0 &&
    value !== '' &&
    !(typeof value === 'number' && Number.isNaN(value))
  );
}
