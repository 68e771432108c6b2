import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import { DEMO_CLIENT_ID, defaultTrunks, TRUNKGATE_ROLE } from '../../src/sim/genesys/index.js';
import type { Simulators } from '../../src/sim/start-simulators.js';
import { doctor, doctorJson, expectNoSecrets, lineOf, webhookServer } from '../support/doctor-harness.js';
import { startTestSims } from '../support/sims.js';
import { tempDataDir } from '../support/test-config.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Runs a .ts entry of the repository as a child process; resolves with its exit code and output. */
function runScript(
  script: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: root,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

describe('trunkgate doctor against the simulators', () => {
  let sims: Simulators;
  let env: Record<string, string>;
  beforeAll(async () => {
    ({ sims, env } = await startTestSims());
  });
  afterAll(async () => {
    await sims.close();
  });
  afterEach(() => {
    sims.genesys.control.setClientRoles(DEMO_CLIENT_ID, [TRUNKGATE_ROLE]);
    sims.genesys.control.setHeartbeats({ enabled: true });
  });

  it('passes every check of a healthy setup, one line each, and exits 0', async () => {
    const hook = await webhookServer({ head: 405, post: 200 });
    try {
      const run = await doctor({ ...env, ALERT_WEBHOOK_URL: hook.url });
      expect(run.code).toBe(0);
      expect(run.stderr).toBe('');
      const lines = run.stdout.trim().split('\n');
      const names = [
        'configuration',
        'action-mappings',
        'incident-mapping',
        'store',
        'redis',
        'genesys-login',
        'genesys-token',
        'genesys-token-info',
        'genesys-clock',
        'genesys-trunks',
        'watchdog-trunks',
        'genesys-notifications',
        'genesys-rate-limit',
        'servicenow-instance',
        'servicenow-auth',
        'servicenow-incident-read',
        'servicenow-rate-limit',
        'servicenow-reference-fields',
        'alert-webhook',
      ];
      expect(lines.slice(0, names.length).map((l) => l.split(/\s+/).slice(0, 2).join(' '))).toEqual(names.map((n) => `✔ ${n}`));
      expect(lines.at(-1)).toMatch(/^19 checks passed, 0 warnings, 0 failed \(\d/);
      expect(lineOf(run.stdout, 'genesys-token-info')).toContain('organisation "trunkgate-sandbox"');
      expect(lineOf(run.stdout, 'genesys-token-info')).toContain(
        'OAuth client "trunkgate sandbox", scopes telephony:readonly, notifications',
      );
      expect(lineOf(run.stdout, 'genesys-notifications')).toContain(
        'channel created, subscribed to one trunk topic, socket opened and answered a ping, subscription removed',
      );
      expect(lineOf(run.stdout, 'store')).toContain('does not exist yet: npm start creates it');
      expect(hook.bodies).toEqual([]); // no message without --webhook-test
      expectNoSecrets(run.stdout, [hook.url, 'webhook-secret-part']);
    } finally {
      await hook.close();
    }
    // The channel's subscription was removed again.
    expect(sims.genesys.control.listChannels().every((c) => c.topics.length === 0)).toBe(true);
  });

  it('--json prints the report and nothing else; with the ServiceNow OAuth password grant too', async () => {
    const { sims: own, env: oauthEnv } = await startTestSims({ servicenowAuth: 'oauth-password' });
    try {
      const run = await doctorJson({ ...oauthEnv, GENESYS_REQUIRED_SCOPES: 'telephony:readonly' });
      expect(run.code).toBe(0);
      expect(run.report.ok).toBe(true);
      for (const c of run.report.checks) expect(Object.keys(c)).toEqual(['name', 'status', 'detail', 'fix']);
      expect(run.check('genesys-token-info').detail).toContain('GENESYS_REQUIRED_SCOPES satisfied');
      expect(run.check('servicenow-auth')).toEqual({
        name: 'servicenow-auth',
        status: 'pass',
        detail: expect.stringMatching(
          /^password grant for trunkgate\.integration with OAuth client sandbox-sn-client: a token valid for 30 min$/,
        ),
        fix: null,
      });
      expect(run.check('alert-webhook')).toMatchObject({ status: 'warn', fix: expect.stringContaining('ALERT_WEBHOOK_URL') });
      expectNoSecrets(run.stdout);
    } finally {
      await own.close();
    }
  });

  it('wrong client secret: genesys-token names invalid_client and the setting; the checks that need a token say so; exit 1', async () => {
    const secret = 'not-the-genesys-secret-0123';
    const run = await doctor({ ...env, GENESYS_CLIENT_SECRET: secret });
    expect(run.code).toBe(1);
    expect(lineOf(run.stdout, 'genesys-login')).toMatch(/^✔/);
    expect(lineOf(run.stdout, 'genesys-token')).toBe(
      [
        '✘ genesys-token                Genesys refused the client credentials: the login service answered 400 invalid_client (authentication failed)',
        `                               fix: GENESYS_CLIENT_ID or GENESYS_CLIENT_SECRET does not match a client of ${sims.genesys.url}: copy both from Genesys Cloud Admin > Integrations > OAuth (a Client Credentials client of the org to watch, in that region)`,
      ].join('\n'),
    );
    expect(lineOf(run.stdout, 'genesys-trunks')).toContain('✘ genesys-trunks               not checked: no Genesys token');
    expectNoSecrets(run.stdout, [secret]);
    const json = await doctorJson({ ...env, GENESYS_CLIENT_SECRET: secret });
    expect(json.code).toBe(1);
    expect(json.report.ok).toBe(false);
    expect(json.check('genesys-token')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('invalid_client'),
      fix: expect.stringContaining('GENESYS_CLIENT_SECRET'),
    });
    expectNoSecrets(json.stdout, [secret]);
  });

  it('the login service failing, and a login host that cannot be reached, are told apart', async () => {
    sims.genesys.control.setTokenEndpointFault({ mode: 'down', forMs: 60_000 });
    let run = await doctorJson(env);
    sims.genesys.control.setTokenEndpointFault({ mode: 'ok' });
    expect(run.check('genesys-login').status).toBe('pass');
    expect(run.check('genesys-token')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('the login service is failing: the login service answered 503'),
      fix: expect.stringContaining('status.mypurecloud.com'),
    });
    run = await doctorJson({ ...env, GENESYS_LOGIN_URL: 'http://127.0.0.1:9' });
    expect(run.check('genesys-login')).toMatchObject({
      status: 'fail',
      detail: 'http://127.0.0.1:9 cannot be reached: ECONNREFUSED',
      fix: expect.stringContaining('GENESYS_REGION (or GENESYS_LOGIN_URL)'),
    });
    expect(run.check('genesys-token')).toMatchObject({
      status: 'fail',
      detail: 'not checked: the login host cannot be reached',
      fix: 'fix genesys-login first, then run the doctor again',
    });
  });

  it('missing permission: genesys-trunks names telephony:plugin:all and the role to give the OAuth client', async () => {
    sims.genesys.control.setClientRoles(DEMO_CLIENT_ID, []);
    const run = await doctorJson(env);
    expect(run.code).toBe(1);
    expect(run.check('genesys-token-info').status).toBe('pass'); // tokens/me needs no permission
    expect(run.check('genesys-trunks')).toEqual({
      name: 'genesys-trunks',
      status: 'fail',
      detail: "Genesys refused GET trunks: the OAuth client's role lacks the permission telephony:plugin:all (missing.any.permissions)",
      fix: 'add the permission telephony:plugin:all (Telephony > Plugin > All) to a role and assign that role to the OAuth client GENESYS_CLIENT_ID (Genesys Cloud Admin > Integrations > OAuth > the client > Roles)',
    });
    expect(run.check('watchdog-trunks')).toMatchObject({
      status: 'fail',
      detail: 'not checked: the trunk listing failed',
      fix: 'fix genesys-trunks first, then run the doctor again',
    });
    expectNoSecrets(run.stdout);
  });

  it('counts the trunks that report registration (the default org has two BYOC Cloud trunks)', async () => {
    const run = await doctorJson(env);
    expect(run.check('watchdog-trunks')).toMatchObject({
      status: 'pass',
      detail: '6 trunks: 4 report registration, 2 only OPTIONS/connection (2 NOT_SUPPORTED: BYOC Cloud?); now 4 registered, 2 connected',
    });
    expect(run.check('genesys-rate-limit').detail).toMatch(
      /^300 requests a minute per token \(inin-ratelimit-allowed, \d+ used by the doctor\), trunkgate paces to 270; polling \(every 30 s\) takes 2 a minute \(1 %\)$/,
    );
  });

  it('warns when no trunk reports registration', async () => {
    const { sims: cloudOnly, env: cloudEnv } = await startTestSims({
      genesys: { trunks: defaultTrunks().filter((t) => t.registrationNotSupported) },
    });
    try {
      const run = await doctorJson(cloudEnv);
      expect(run.code).toBe(0); // a warning is not a failure
      expect(run.check('watchdog-trunks')).toMatchObject({
        status: 'warn',
        detail: expect.stringMatching(/^2 trunks: 0 report registration, 2 only OPTIONS\/connection .*none reports registration/),
        fix: expect.stringContaining('registration interval'),
      });
    } finally {
      await cloudOnly.close();
    }
  });

  it('a notification socket that never answers a ping is a warning', async () => {
    sims.genesys.control.setHeartbeats({ enabled: false });
    const run = await doctorJson(env);
    expect(run.check('genesys-notifications')).toMatchObject({ status: 'warn', detail: expect.stringContaining('socket opened, no pong') });
  });

  it('an unknown flag is a usage error (exit 2), --help prints the usage', async () => {
    expect((await doctor(env, ['--frobnicate'])).code).toBe(2);
    const help = await doctor(env, ['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--write-test');
  });

  it('as a real process: exit code 1 on a failure, and --json alone on stdout', async () => {
    const run = await runScript('src/cli/doctor.ts', ['--json'], {
      ...env,
      GENESYS_CLIENT_SECRET: 'not-the-genesys-secret-0123',
      GATEWAY_API_KEYS: 'doctor-test-key-0123456789',
      DATA_DIR: tempDataDir(),
    });
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as { ok: boolean; checks: Array<{ name: string; status: string }> };
    expect(report.ok).toBe(false);
    expect(report.checks.find((c) => c.name === 'genesys-token')?.status).toBe('fail');
  }, 30_000);
});

describe('trunkgate doctor with an invalid configuration', () => {
  const bad = {
    SERVICENOW_INSTANCE_URL: 'http://127.0.0.1:9',
    SERVICENOW_USERNAME: 'u',
    SERVICENOW_PASSWORD: 'p',
    GENESYS_REGION: 'mypurecloud.com',
    GENESYS_CLIENT_SECRET: 's3cret-value-here',
    GATEWAY_BASIC_AUTH: '',
  };
  const message = (() => {
    try {
      loadConfig(bad, { requireCallerAuth: true });
    } catch (err) {
      if (err instanceof ConfigError) return err.message;
    }
    throw new Error('expected the configuration to be refused');
  })();

  it('exits 78 and lists every problem, caller authentication included, as npm start does', async () => {
    expect(message).toContain('no caller authentication configured');
    expect(message).toContain('GENESYS_CLIENT_ID is required');
    const run = await doctor(bad);
    expect(run.code).toBe(78);
    expect(
      run.stdout
        .split('\n')
        .slice(0, 1 + message.split('\n').length)
        .join('\n'),
    ).toBe(
      `✘ configuration  ${message.split('\n').join('\n                 ')}\n                 fix: set or correct each setting listed (README "Configuration"); npm start refuses to run until then`,
    );
    const json = await doctorJson(bad);
    expect(json.code).toBe(78);
    expect(json.report).toEqual({
      ok: false,
      checks: [{ name: 'configuration', status: 'fail', detail: message, fix: expect.any(String) }],
    });
    expect(json.stderr).toBe(`trunkgate: ${message}\n`);
    expect(run.stdout + json.stdout).not.toContain('s3cret-value-here');
  });

  it('says what npm start says (its own process, same environment)', async () => {
    const start = await runScript('src/main.ts', [], { ...bad, DATA_DIR: tempDataDir() });
    expect(start.code).toBe(78);
    expect(start.stderr).toBe(`trunkgate: ${message}\n`);
  }, 30_000);
});
