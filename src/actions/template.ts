import { compileExpression, type Bindings, type Expression, type MaybePromise } from './expression.js';

/**
 * A string with `${expression}` placeholders (JSONata inside). A template that is exactly one
 * placeholder yields the expression's value with its JSON type (a number stays a number, undefined
 * leaves the field out); otherwise the pieces are joined as text, undefined and null as ''.
 */
export interface Template {
  readonly source: string;
  /** Literal text and expressions in order. */
  readonly pieces: ReadonlyArray<string | Expression>;
  /** True when the template is one placeholder and nothing else. */
  readonly single: boolean;
  evaluate(root: unknown, bindings: Bindings): MaybePromise<unknown>;
}

export class TemplateSyntaxError extends Error {}

/** Finds the `}` closing a placeholder opened before `from`, skipping quoted strings and nested braces. */
function closingBrace(text: string, from: number): number {
  let depth = 0;
  for (let i = from; i < text.length; i += 1) {
    const c = text[i]!;
    if (c === '"' || c === "'" || c === '`') {
      let end = i + 1;
      while (end < text.length && text[end] !== c) end += text[end] === '\\' ? 2 : 1;
      if (end >= text.length) return -1;
      i = end;
    } else if (c === '{') depth += 1;
    else if (c === '}') {
      if (depth === 0) return i;
      depth -= 1;
    }
  }
  return -1;
}

export function parseTemplate(source: string): Template {
  const pieces: Array<string | Expression> = [];
  let literal = '';
  let i = 0;
  while (i < source.length) {
    const open = source.indexOf('${', i);
    if (open < 0) {
      literal += source.slice(i);
      break;
    }
    literal += source.slice(i, open);
    const close = closingBrace(source, open + 2);
    if (close < 0) throw new TemplateSyntaxError(`template "${source}" has a "\${" without its closing "}"`);
    const inner = source.slice(open + 2, close);
    if (inner.trim() === '') throw new TemplateSyntaxError(`template "${source}" has an empty placeholder`);
    if (literal !== '') pieces.push(literal);
    literal = '';
    pieces.push(compileExpression(inner));
    i = close + 1;
  }
  if (literal !== '') pieces.push(literal);
  const single = pieces.length === 1 && typeof pieces[0] !== 'string';
  return {
    source,
    pieces,
    single,
    evaluate(root, bindings) {
      if (single) return (pieces[0] as Expression).evaluate(root, bindings);
      const parts = pieces.map((p) => (typeof p === 'string' ? p : p.evaluate(root, bindings)));
      if (parts.some((p) => p instanceof Promise)) return Promise.all(parts).then((done) => done.map(textOf).join(''));
      return parts.map(textOf).join('');
    },
  };
}

/** How a value reads inside text: strings as they are, numbers and booleans as JSON, nothing as ''. */
export function textOf(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

/** Every template in a YAML value (a body): string leaves are templates, the rest is kept. */
export type TemplateTree = Template | { [key: string]: TemplateTree } | TemplateTree[] | number | boolean | null;

export function compileTree(value: unknown): TemplateTree {
  if (typeof value === 'string') return parseTemplate(value);
  if (Array.isArray(value)) return value.map(compileTree);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, compileTree(v)]));
  return value as number | boolean | null;
}

function isTemplate(t: TemplateTree): t is Template {
  return typeof t === 'object' && t !== null && !Array.isArray(t) && typeof (t as Template).evaluate === 'function' && 'pieces' in t;
}

/** Builds a JSON value as data from a tree; keys whose value comes out undefined are left out. */
export async function evaluateTree(tree: TemplateTree, root: unknown, bindings: Bindings): Promise<unknown> {
  if (isTemplate(tree)) return tree.evaluate(root, bindings);
  if (Array.isArray(tree)) return (await Promise.all(tree.map((t) => evaluateTree(t, root, bindings)))).filter((v) => v !== undefined);
  if (tree !== null && typeof tree === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, t] of Object.entries(tree)) {
      const v = await evaluateTree(t, root, bindings);
      if (v !== undefined) out[k] = v;
    }
    return out;
  }
  return tree;
}
