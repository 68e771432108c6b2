import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';
import { runDoctor } from '../../src/cli/doctor.js';
import type { CheckResult, DoctorReport } from '../../src/doctor/check.js';
import { DEFAULT_RUNNER_OPTIONS, type RunnerOptions } from '../../src/doctor/runner.js';
import { DEMO_CLIENT_SECRET } from '../../src/sim/genesys/index.js';
import { DEMO_OAUTH_CLIENT, DEMO_USER } from '../../src/sim/servicenow/index.js';
import { tempDataDir, TEST_USER } from './test-config.js';

export interface DoctorRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `trunkgate doctor` in-process with `env` (plus caller auth and a fresh DATA_DIR unless given). */
export async function doctor(
  env: Record<string, string | undefined>,
  argv: string[] = [],
  runner: RunnerOptions = DEFAULT_RUNNER_OPTIONS,
): Promise<DoctorRun> {
  let stdout = '';
  let stderr = '';
  const code = await runDoctor(
    { GATEWAY_BASIC_AUTH: `${TEST_USER.user}:${TEST_USER.password}`, DATA_DIR: tempDataDir(), ...env },
    argv,
    { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } },
    runner,
  );
  return { code, stdout, stderr };
}

/** The same run with --json: the report parsed (stdout must be that JSON and nothing else). */
export async function doctorJson(
  env: Record<string, string | undefined>,
  argv: string[] = [],
  runner?: RunnerOptions,
): Promise<DoctorRun & { report: DoctorReport; check: (name: string) => CheckResult }> {
  const run = await doctor(env, ['--json', ...argv], runner);
  const report = JSON.parse(run.stdout) as DoctorReport;
  return {
    ...run,
    report,
    check: (name) => {
      const found = report.checks.find((c) => c.name === name);
      if (!found) throw new Error(`no check ${name} in ${report.checks.map((c) => c.name).join(', ')}`);
      return found;
    },
  };
}

/** The human line of one check (and the fix line under it, if any). */
export function lineOf(stdout: string, name: string): string {
  const lines = stdout.split('\n');
  const at = lines.findIndex((l) => new RegExp(`^[✔!✘] ${name} `).test(l));
  if (at < 0) throw new Error(`no line for ${name} in:\n${stdout}`);
  return /^\s+fix: /.test(lines[at + 1] ?? '') ? `${lines[at]}\n${lines[at + 1]}` : lines[at]!;
}

/** The demo secrets, the caller password, and anything shaped like an access token (the sims' are 80+ base64url characters). */
export function expectNoSecrets(text: string, extra: string[] = []): void {
  for (const secret of [DEMO_CLIENT_SECRET, DEMO_USER.password, DEMO_OAUTH_CLIENT.clientSecret, TEST_USER.password, ...extra])
    expect(text).not.toContain(secret);
  expect(text).not.toMatch(/[A-Za-z0-9_-]{60,}/);
  expect(text).not.toMatch(/\b(Bearer|Basic)\s+[A-Za-z0-9+/=]{8,}/);
}

/** A stand-in for a chat webhook: answers HEAD and POST with the given statuses and records the POSTed bodies. */
export async function webhookServer(status: {
  head: number;
  post: number;
}): Promise<{ url: string; bodies: string[]; close(): Promise<void> }> {
  const bodies: string[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      if (req.method === 'POST') bodies.push(body);
      res.writeHead(req.method === 'HEAD' ? status.head : status.post, { 'Content-Type': 'text/plain' });
      res.end(req.method === 'HEAD' ? undefined : req.method === 'POST' && status.post < 300 ? 'ok' : 'invalid_token');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/services/T000/B000/webhook-secret-part`,
    bodies,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
