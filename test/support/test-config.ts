import { loadConfig, type Config } from '../../src/config/config.js';
import { createLogger, type Logger } from '../../src/log/logger.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';

const tempDirs: string[] = [];
process.once('exit', () => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** A fresh DATA_DIR, removed when the test process exits (each app holds its SQLite file exclusively). */
export function tempDataDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trunkgate-test-'));
  tempDirs.push(dir);
  return dir;
}

/** Credentials the edge tests authenticate with. */
export const TEST_USER = { user: 'flow', password: 'correct horse battery staple' };
export const TEST_API_KEY = 'test-api-key-0123456789abcdef';

/** A complete, valid environment; tests override single variables. */
export function testEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  return {
    GENESYS_LOGIN_URL: 'http://127.0.0.1:9/login',
    GENESYS_API_URL: 'http://127.0.0.1:9/api',
    GENESYS_CLIENT_ID: 'genesys-client',
    GENESYS_CLIENT_SECRET: 'genesys-secret-value',
    SERVICENOW_INSTANCE_URL: 'http://127.0.0.1:9',
    SERVICENOW_USERNAME: 'integration',
    SERVICENOW_PASSWORD: 'sn-password-value',
    GATEWAY_BASIC_AUTH: `${TEST_USER.user}:${TEST_USER.password}`,
    GATEWAY_API_KEYS: TEST_API_KEY,
    DATA_DIR: tempDataDir(),
    ...extra,
  };
}

export function testConfig(extra: Record<string, string | undefined> = {}): Config {
  return loadConfig(testEnv(extra), { requireCallerAuth: true });
}

/** A logger whose JSON lines are kept in memory so tests can inspect them. */
export function memoryLogger(level = 'debug'): { logger: Logger; lines: () => Array<Record<string, unknown>>; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString('utf8'));
      cb();
    },
  });
  const logger = createLogger({ level, stream });
  const text = () => chunks.join('');
  return {
    logger,
    text,
    lines: () =>
      text()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

export function basicHeader(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}
