import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const src = fileURLToPath(new URL('../../src/', import.meta.url));

/** Relative module specifiers of a TypeScript file: imports, re-exports and import() (type-only ones too, to be strict). */
function relativeImports(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const match of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm)) found.push(match[1]!);
  return found;
}

/** Every src module reachable from `entries`, as paths relative to src/. */
function reachable(entries: string[]): Set<string> {
  const seen = new Set<string>();
  const queue = entries.map((e) => path.join(src, e));
  while (queue.length > 0) {
    const file = queue.pop()!;
    const rel = path.relative(src, file);
    if (seen.has(rel)) continue;
    seen.add(rel);
    for (const spec of relativeImports(file)) {
      const target = path.resolve(path.dirname(file), spec).replace(/\.js$/, '.ts');
      if (!fs.existsSync(target)) throw new Error(`${rel} imports ${spec}, which does not exist as ${path.relative(src, target)}`);
      queue.push(target);
    }
  }
  return seen;
}

// The Docker image leaves dist/sim and dist/sandbox out; an import of them from what the image runs
// would only show as ERR_MODULE_NOT_FOUND when the container starts.
describe('what the Docker image runs (dist/main.js, dist/cli/*)', () => {
  const entries = [
    'main.ts',
    ...fs
      .readdirSync(path.join(src, 'cli'))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => `cli/${f}`),
  ];

  it('imports nothing from src/sim or src/sandbox', () => {
    const modules = reachable(entries);
    expect(modules.size).toBeGreaterThan(50); // the walk follows imports, not only the entry files
    expect([...modules].filter((m) => m.startsWith(`sim${path.sep}`) || m.startsWith(`sandbox${path.sep}`))).toEqual([]);
  });

  it('would notice such an import', () => {
    expect([...reachable(['sandbox/main.ts'])].some((m) => m.startsWith(`sim${path.sep}`))).toBe(true);
  });
});
