import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

/** The console's files: beside this module in src/console/assets, copied to dist/console/assets by `npm run build`. */
export const ASSETS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'assets');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** One file as served: its bytes, gzipped bytes when that is smaller, type and validator. */
export interface ConsoleAsset {
  readonly name: string;
  readonly type: string;
  readonly body: Buffer;
  readonly gzip: Buffer | null;
  /** A strong ETag from the content (the HTML is revalidated on each load; the rest carry it in their URL). */
  readonly etag: string;
  /** The content hash the page names the file by (`/console/assets/board.js?v=<hash>`). */
  readonly version: string;
}

function asset(name: string, body: Buffer): ConsoleAsset {
  const version = createHash('sha256').update(body).digest('base64url').slice(0, 12);
  const gz = gzipSync(body, { level: 9 });
  return {
    name,
    type: TYPES[path.extname(name)] ?? 'application/octet-stream',
    body,
    gzip: gz.length < body.length ? gz : null,
    etag: `"${version}"`,
    version,
  };
}

/**
 * Reads the console's files once at start-up (a handful of kilobytes) and names each script and
 * stylesheet in the page by its content hash, so a browser may keep them for a year and still never
 * runs a stale one after an upgrade: only the page itself is revalidated.
 */
export function loadConsoleAssets(dir = ASSETS_DIR): { page: ConsoleAsset; files: ReadonlyMap<string, ConsoleAsset> } {
  const files = new Map<string, ConsoleAsset>();
  for (const name of readdirSync(dir)) {
    if (name === 'index.html' || !TYPES[path.extname(name)]) continue;
    files.set(name, asset(name, readFileSync(path.join(dir, name))));
  }
  const html = readFileSync(path.join(dir, 'index.html'), 'utf8').replace(
    /\/console\/assets\/([A-Za-z0-9._-]+)(?=")/g,
    (whole, name: string) => {
      const file = files.get(name);
      if (!file) throw new Error(`The console page names ${name}, which is not in ${dir}`);
      return `${whole}?v=${file.version}`;
    },
  );
  return { page: asset('index.html', Buffer.from(html, 'utf8')), files };
}
