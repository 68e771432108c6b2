import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The structure rules of src/ (README, "Development"): no import cycle between its top-level folders
// (type-only imports count: they are what a reader follows), no file over 300 lines, and the two
// upstreams named in a type only by the composition root (src/app/) and the simulators.
const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src');
const MAX_LINES = 300;

function sourceFiles(dir = SRC): string[] {
  return readdirSync(dir).flatMap((name) => {
    const abs = path.join(dir, name);
    if (statSync(abs).isDirectory()) return sourceFiles(abs);
    return name.endsWith('.ts') ? [abs] : [];
  });
}

/** `src/trunks/x.ts` → `trunks`; a file directly in src/ → `(root)`. */
function folderOf(abs: string): string {
  const rel = path.relative(SRC, abs).split(path.sep);
  return rel.length > 1 ? rel[0]! : '(root)';
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s+['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

/** Top-level folder → the folders its files import from (relative imports only: packages are not ours). */
function folderGraph(files: string[]): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of files) {
    const from = folderOf(file);
    const edges = graph.get(from) ?? new Set<string>();
    graph.set(from, edges);
    for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const to = folderOf(path.resolve(path.dirname(file), (m[1] ?? m[2])!));
      if (to !== from) edges.add(to);
    }
  }
  return graph;
}

/** Every cycle's folders (strongly connected components of more than one folder; Tarjan). */
function cycles(graph: Map<string, Set<string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (stack.includes(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      for (let w = stack.pop(); w !== undefined; w = w === v ? undefined : stack.pop()) component.push(w);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

describe('the structure of src/', () => {
  const files = sourceFiles();

  it('has no import cycle between its top-level folders', () => {
    expect(cycles(folderGraph(files))).toEqual([]);
  });

  it('finds a cycle when there is one (the check itself works)', () => {
    const graph = new Map([
      ['a', new Set(['b'])],
      ['b', new Set(['c'])],
      ['c', new Set(['a'])],
      ['d', new Set(['a'])],
    ]);
    expect(cycles(graph)).toEqual([['a', 'b', 'c']]);
    expect(folderGraph(files).get('trunks')).toContain('store');
  });

  it(`has no file over ${MAX_LINES} lines`, () => {
    const long = files
      .map((f) => [path.relative(SRC, f), readFileSync(f, 'utf8').split('\n').length - 1] as const)
      .filter(([, lines]) => lines > MAX_LINES);
    expect(long).toEqual([]);
  });

  it('names the two upstreams in a type only in the composition root (src/app/) and the simulators', () => {
    const pair = /'genesys'\s*\|\s*'servicenow'|'servicenow'\s*\|\s*'genesys'|\{\s*genesys:\s*\w+;\s*servicenow:/;
    const naming = files
      .filter((f) => !['app', 'sim'].includes(folderOf(f)) && pair.test(readFileSync(f, 'utf8')))
      .map((f) => path.relative(SRC, f));
    expect(naming).toEqual([]);
  });
});
