import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteDatabase, sqliteFile } from '../../src/store/sqlite-database.js';
import { StoreOpenError } from '../../src/store/sqlite-open-error.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trunkgate-open-'));
  fs.chmodSync(dir, 0o755); // traversable by the unprivileged user below
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function openError(file: string): StoreOpenError {
  try {
    void SqliteDatabase.open({ file }).close();
  } catch (err) {
    expect(err).toBeInstanceOf(StoreOpenError);
    return err as StoreOpenError;
  }
  throw new Error(`${file} opened`);
}

/**
 * Runs `fn` as a user who cannot write a root-owned folder: root switches its effective uid (and gid)
 * to nobody, 65534, and back; anyone else only takes the write bit off the folder. Either way the
 * operating system refuses for real (a root-owned bind mount on /data for the image's uid 1000).
 */
function asUserWhoCannotWrite<T>(dir: string, fn: () => T): T {
  const root = process.geteuid!() === 0;
  if (root) {
    process.setegid!(65534);
    process.seteuid!(65534);
  } else {
    fs.chmodSync(dir, 0o555);
  }
  try {
    return fn();
  } finally {
    if (root) {
      process.seteuid!(0);
      process.setegid!(0);
    } else {
      fs.chmodSync(dir, 0o755);
    }
  }
}

describe('SqliteDatabase.open on a data folder it cannot use', () => {
  it('names the path, EACCES and the chown for the uid it runs as when the folder is not writable', () => {
    const dataDir = path.join(tempDir(), 'data');
    fs.mkdirSync(dataDir, { mode: 0o755 });
    const { err, uid, gid } = asUserWhoCannotWrite(dataDir, () => ({
      err: openError(sqliteFile(dataDir)),
      uid: process.geteuid!(),
      gid: process.getegid!(),
    }));
    expect(err.osError).toBe('EACCES');
    expect(err.message).toContain(`cannot open the SQLite store ${path.join(dataDir, 'trunkgate.db')}`);
    expect(err.message).toContain(`EACCES (permission denied) on ${dataDir};`);
    expect(err.message).toContain(`which trunkgate runs as: chown ${uid}:${gid} ${dataDir} `);
    expect(fs.readdirSync(dataDir)).toEqual([]); // the probe left nothing behind
  });

  it('asks for the folder and the file when an existing database cannot be written', async () => {
    const dataDir = path.join(tempDir(), 'data');
    const file = sqliteFile(dataDir);
    await SqliteDatabase.open({ file }).close(); // made by root (or the test user), like an older deployment's
    fs.chmodSync(file, process.geteuid!() === 0 ? 0o644 : 0o444);
    fs.chmodSync(dataDir, 0o755);
    const { err, uid, gid } = asUserWhoCannotWrite(dataDir, () => ({
      err: openError(file),
      uid: process.geteuid!(),
      gid: process.getegid!(),
    }));
    expect(err.message).toContain(`EACCES (permission denied) on ${file};`);
    expect(err.message).toContain(`chown -R ${uid}:${gid} ${dataDir} `);
  });

  it('names the file in the way when DATA_DIR lies below a regular file (ENOTDIR)', () => {
    const blocker = path.join(tempDir(), 'not-a-folder');
    fs.writeFileSync(blocker, '');
    const dataDir = path.join(blocker, 'data');
    const err = openError(sqliteFile(dataDir));
    expect(err.osError).toBe('ENOTDIR');
    expect(err.message).toBe(
      `cannot open the SQLite store ${path.join(dataDir, 'trunkgate.db')}: ENOTDIR (a part of the path is a file, not a folder) on ${blocker}; set DATA_DIR to a folder (now ${dataDir})`,
    );
  });

  it('says so when the database path is a folder (SQLite only says "unable to open database file")', () => {
    const dataDir = tempDir();
    const file = sqliteFile(dataDir);
    fs.mkdirSync(file);
    const err = openError(file);
    expect((err.cause as { code?: string }).code).toBe('SQLITE_CANTOPEN');
    expect(err.osError).toBe('EISDIR');
    expect(err.message).toContain(`EISDIR (is a folder, not a file) on ${file}; remove or rename the folder ${file}`);
  });
});
