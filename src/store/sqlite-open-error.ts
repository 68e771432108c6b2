import fs from 'node:fs';
import path from 'node:path';

/**
 * Thrown when the SQLite file or its folder cannot be created, opened or written. SQLite itself only
 * says "unable to open database file" (SQLITE_CANTOPEN) or "attempt to write a readonly database"
 * (SQLITE_READONLY); the message names the path, the operating-system error found by probing it and
 * the fix, e.g. a root-owned Docker bind mount on /data for the image's uid 1000.
 */
export class StoreOpenError extends Error {
  readonly code = 'STORE_OPEN_FAILED';

  constructor(
    readonly file: string,
    readonly osError: string | undefined,
    message: string,
    cause: unknown,
  ) {
    super(message, { cause });
    this.name = 'StoreOpenError';
  }
}

/** SQLite's codes for a file it cannot create, open or write (extended codes included). */
const FILE_ERROR = /^SQLITE_(CANTOPEN|READONLY|PERM|IOERR|FULL)/;

/** True for an error of the database file rather than of its data (e.g. a migration's SQL). */
export function isFileError(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && FILE_ERROR.test(code);
}

/** Builds the StoreOpenError for `err`, raised while creating or opening `file`. */
export function storeOpenError(file: string, err: unknown): StoreOpenError {
  const found = errnoOf(err) ?? probe(file);
  const head = `cannot open the SQLite store ${file}`;
  if (!found) {
    const detail = err instanceof Error ? err.message : String(err);
    return new StoreOpenError(
      file,
      undefined,
      `${head}: ${detail}; check that DATA_DIR (${path.dirname(file)}) is a folder this process can write`,
      err,
    );
  }
  return new StoreOpenError(
    file,
    found.code,
    `${head}: ${found.code} (${meaning(found.code)}) on ${found.path}; ${fixFor(found.code, found.path, file)}`,
    err,
  );
}

interface Found {
  code: string;
  path: string;
}

/** An fs error (from creating the folder) already carries its errno and path. */
function errnoOf(err: unknown): Found | undefined {
  const e = err as { code?: unknown; path?: unknown };
  if (typeof e.code !== 'string' || e.code.startsWith('SQLITE_') || typeof e.path !== 'string') return undefined;
  return { code: e.code, path: existingAncestor(e.path) };
}

/** mkdir names the folder it could not create; the one to fix is the nearest that exists. */
function existingAncestor(p: string): string {
  let at = p;
  while (!fs.existsSync(at) && path.dirname(at) !== at) at = path.dirname(at);
  return at;
}

/**
 * better-sqlite3 does not expose the errno behind SQLITE_CANTOPEN, so repeat what SQLite needed: open
 * the file for writing, and create a file beside it (the WAL journal lives next to the database).
 * Real opens, not access(2), which answers for the real uid rather than the effective one.
 */
function probe(file: string): Found | undefined {
  const dir = path.dirname(file);
  const attempt = (at: string, fn: () => void): Found | undefined => {
    try {
      fn();
      return undefined;
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      return typeof code === 'string' && code !== 'ENOENT' ? { code, path: at } : undefined;
    }
  };
  const probeFile = path.join(dir, `.trunkgate-probe-${process.pid}`);
  return (
    attempt(file, () => fs.closeSync(fs.openSync(file, 'r+'))) ??
    attempt(dir, () => {
      fs.closeSync(fs.openSync(probeFile, 'wx'));
      fs.rmSync(probeFile);
    })
  );
}

function meaning(code: string): string {
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'read-only file system';
    case 'ENOTDIR':
      return 'a part of the path is a file, not a folder';
    case 'EISDIR':
      return 'is a folder, not a file';
    case 'ENOSPC':
      return 'no space left on the device';
    case 'ENOENT':
      return 'no such file or folder';
    default:
      return 'file system error';
  }
}

function fixFor(code: string, at: string, file: string): string {
  const dataDir = path.dirname(file);
  switch (code) {
    case 'EACCES':
    case 'EPERM': {
      if (typeof process.geteuid !== 'function')
        return `make ${at} writable by the user trunkgate runs as, or set DATA_DIR to a folder it can write`;
      // The Docker image runs as uid 1000: a bind mount owned by root is the usual cause, and the
      // folder to chown is the one on the host. An unwritable file takes its folder along (-R);
      // never -R on an ancestor of DATA_DIR.
      const uid = process.geteuid();
      const chown = at === file ? `chown -R ${uid}:${process.getegid!()} ${dataDir}` : `chown ${uid}:${process.getegid!()} ${at}`;
      return `make it writable by uid ${uid}, which trunkgate runs as: ${chown} (for a Docker bind mount, the host folder mounted there), or set DATA_DIR to a folder it can write`;
    }
    case 'EROFS':
      return `mount a writable volume on ${dataDir} or set DATA_DIR to a writable folder`;
    case 'ENOTDIR':
      return `set DATA_DIR to a folder (now ${dataDir})`;
    case 'EISDIR':
      return `remove or rename the folder ${file}, or set DATA_DIR elsewhere`;
    case 'ENOSPC':
      return `free space on the volume holding ${dataDir}`;
    default:
      return `check that DATA_DIR (${dataDir}) is a folder this process can write`;
  }
}
