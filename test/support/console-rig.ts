import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { createApp, type TrunkgateApp } from '../../src/app/create-app.js';
import type { Simulators } from '../../src/sim/start-simulators.js';
import { writeCallersFile } from './callers-file.js';
import { startTestSims } from './sims.js';
import { basicHeader, memoryLogger, testConfig, TEST_USER } from './test-config.js';

/** Debian's chromium (`.ci/run` installs it when missing); CHROMIUM_PATH points elsewhere. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Where browser tests write what a person may want to look at (git-ignored). */
export const TEST_OUTPUT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../test-output');

/** A caller that may watch the console but not change maintenance windows. */
export const READ_ONLY = { user: 'noc', password: 'noc-password-0123456789' };

const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Headless chromium with a new, empty profile (removed on close), logged in as `credentials`: it answers
 * the Basic challenge as a person at the prompt would. With `preemptive` it sends the Authorization
 * header on every request instead, as a browser does once logged in, and keeps its HTTP cache (the
 * challenge answering intercepts requests, which turns the cache off).
 */
export async function launchBrowser(
  credentials = { username: TEST_USER.user, password: TEST_USER.password },
  options: { preemptive?: boolean } = {},
) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'trunkgate-chromium-'));
  // Playwright passes --headless and --user-data-dir itself (a persistent context is how it takes a profile folder).
  const context: BrowserContext = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    ...(options.preemptive
      ? { extraHTTPHeaders: { authorization: basicHeader(credentials.username, credentials.password) } }
      : { httpCredentials: credentials }),
    viewport: { width: 1280, height: 900 },
  });
  return {
    context,
    close: async () => {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * trunkgate against both simulators, the way the sandbox runs it (notifications and polling, incidents
 * after a short while), with a read-only console caller besides the test caller (every permission).
 */
export async function startConsoleRig(env: Record<string, string> = {}): Promise<{
  app: TrunkgateApp;
  sims: Simulators;
  baseUrl: string;
  api: (method: string, path: string, body?: unknown) => Promise<{ status: number; body: any }>;
  close: () => Promise<void>;
}> {
  const started = await startTestSims();
  const callers = writeCallersFile(
    `callers:\n  - name: noc\n    basic: { user: ${READ_ONLY.user}, password: "${READ_ONLY.password}" }\n    permissions: [console, status:read, audit:read]\n`,
  );
  const app = await createApp(
    testConfig({
      ...started.env,
      CALLERS_FILE: callers,
      MONITOR_NOTIFICATIONS: 'true',
      MONITOR_POLL_INTERVAL_MS: '2000',
      INCIDENT_OPEN_AFTER_MS: '300',
      INCIDENT_RESOLVE_AFTER_MS: '500',
      INCIDENT_NOTE_INTERVAL_MS: '0',
      ...env,
    }),
    { logger: memoryLogger('warn').logger, processMetrics: false },
  );
  const baseUrl = await app.listen(0, '127.0.0.1');
  const authorization = basicHeader(TEST_USER.user, TEST_USER.password);
  const api = async (method: string, p: string, body?: unknown) => {
    const res = await fetch(`${baseUrl}${p}`, {
      method,
      headers: { authorization, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  return {
    app,
    sims: started.sims,
    baseUrl,
    api,
    close: async () => {
      await app.close();
      await started.sims.close();
    },
  };
}

/** The board's row of one trunk. */
export const trunkRow = (page: Page, trunkId: string) => page.locator(`#trunks tr[data-trunk="${trunkId}"]`);
