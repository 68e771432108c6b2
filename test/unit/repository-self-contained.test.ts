import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The repository explains itself: comments, tests and docs cite docs/ (or a public source), never a
// document that lives outside the repository. The forbidden words are assembled so that this file
// does not contain them either.
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SELF = 'test/unit/repository-self-contained.test.ts';
const SCOPE = ['src', 'test', 'bench', 'mappings', 'docs', 'deploy', 'README.md'];
const OUTSIDE_REFERENCE = new RegExp(['BRI' + 'EF', 'FACTS' + '\\.md', '\\.\\./' + 'shared'].join('|'));
/** `(docs/genesys-cloud.md, 'Rate limits')` and the like: a pointer to one section of a docs page. */
const SECTION_POINTER = /docs\/([a-z0-9-]+\.md),? ['"]([^'"\n]+)['"]/g;
const UNTRACKED_DIRS = new Set(['node_modules', 'dist', 'data', 'results', '.git']);

/** Tracked files in scope, plus new ones not yet committed (ignored ones excluded). */
function filesInScope(): string[] {
  try {
    const out = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard', '--', ...SCOPE], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    return out.split('\0').filter((f) => f !== '' && existsSync(path.join(ROOT, f)));
  } catch {
    // No git (a source tarball): walk the folders instead.
    return SCOPE.flatMap((entry) => walk(entry));
  }
}

function walk(rel: string): string[] {
  const abs = path.join(ROOT, rel);
  if (!existsSync(abs)) return [];
  if (!statSync(abs).isDirectory()) return [rel];
  return readdirSync(abs).flatMap((name) => (UNTRACKED_DIRS.has(name) ? [] : walk(path.posix.join(rel, name))));
}

function read(file: string): string {
  return readFileSync(path.join(ROOT, file), 'utf8');
}

/** `file:line: text` for every line that cites a document outside the repository. */
function outsideReferences(file: string, text: string): string[] {
  return text.split('\n').flatMap((line, i) => (OUTSIDE_REFERENCE.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : []));
}

function headingsOf(markdown: string): Set<string> {
  return new Set(
    markdown
      .split('\n')
      .filter((l) => /^#{1,6} /.test(l))
      .map((l) => l.replace(/^#+ /, '').trim()),
  );
}

describe('the repository explains itself', () => {
  const files = filesInScope().filter((f) => f !== SELF);

  it('sees the folders it guards', () => {
    expect(files).toContain('README.md');
    expect(files).toContain('docs/design.md');
    expect(files.some((f) => f.startsWith('src/'))).toBe(true);
    expect(files.some((f) => f.startsWith('mappings/'))).toBe(true);
  });

  it('recognises a citation of an outside document, and nothing else', () => {
    expect(outsideReferences('a.ts', `// see ${'BRI' + 'EF'} §3.5\nconst x = 1;`)).toEqual([`a.ts:1: // see ${'BRI' + 'EF'} §3.5`]);
    expect(outsideReferences('b.md', `the sources (${'FACTS' + '.md'})`)).toHaveLength(1);
    expect(outsideReferences('c.md', `see \`${'../' + 'shared'}/notes\``)).toHaveLength(1);
    expect(
      outsideReferences('d.ts', "// ServiceNow ignores unknown fields (docs/servicenow.md, 'Encoded queries')\n// a brief pause"),
    ).toEqual([]);
  });

  it('no file under src, test, bench, mappings, docs, deploy or README.md cites a document outside the repository', () => {
    const found = files.flatMap((f) => outsideReferences(f, read(f)));
    expect(found, 'cite docs/ (or a public source) instead').toEqual([]);
  });

  it('every pointer to a docs/ section names a page and a heading that exist', () => {
    const broken: string[] = [];
    const headings = new Map<string, Set<string> | null>();
    for (const file of files) {
      for (const [, page, section] of read(file).matchAll(SECTION_POINTER)) {
        if (!headings.has(page!)) headings.set(page!, existsSync(path.join(ROOT, 'docs', page!)) ? headingsOf(read(`docs/${page}`)) : null);
        const known = headings.get(page!);
        if (!known) broken.push(`${file}: docs/${page} does not exist`);
        else if (!known.has(section!)) broken.push(`${file}: docs/${page} has no section "${section}"`);
      }
    }
    expect(broken).toEqual([]);
  });
});
