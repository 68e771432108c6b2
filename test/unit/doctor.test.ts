import { runDoctor } from '../../src/cli/doctor.js';
import { loadConfig } from '../../src/config/config.js';
import { configSecrets } from '../../src/doctor/build-checks.js';
import { ManualClock } from '../../src/time/manual-clock.js';
import { writeCallersFile } from '../support/callers-file.js';
import { testEnv } from '../support/test-config.js';
import { describe, expect, it } from 'vitest';
import { fail, NotChecked, pass, resultOf, warn, type Check } from '../../src/doctor/check.js';
import { judgeRateLimit, judgeSkew } from '../../src/doctor/genesys-checks.js';
import { humanReport, jsonReport, reportOf, scrub } from '../../src/doctor/report.js';
import { runChecks } from '../../src/doctor/runner.js';
import { judgeMigrations } from '../../src/doctor/store-check.js';
import { judgeTrunks } from '../../src/doctor/trunk-checks.js';
import { migrations } from '../../src/store/sql/migrations.js';

const check = (name: string, run: Check['run'], timeoutFix?: string): Check => ({ name, run, ...(timeoutFix ? { timeoutFix } : {}) });
const never = () => new Promise<never>(() => undefined);

describe('the doctor runner', () => {
  it('runs lanes side by side, checks of a lane in order, and reports in lane order', async () => {
    const order: string[] = [];
    const step = (name: string, ms: number) =>
      check(name, async () => {
        await new Promise((r) => setTimeout(r, ms));
        order.push(name);
        return pass(name);
      });
    const results = await runChecks([[step('a1', 30), step('a2', 1)], [step('b1', 5)]], { checkTimeoutMs: 1_000, budgetMs: 5_000 });
    expect(results.map((r) => r.name)).toEqual(['a1', 'a2', 'b1']);
    expect(order).toEqual(['b1', 'a1', 'a2']);
  });

  it('cuts a check off at its bound, aborting its signal, and goes on with the next', async () => {
    let aborted = false;
    const clock = new ManualClock();
    const running = runChecks(
      [
        [
          check(
            'hangs',
            (signal) => {
              signal.addEventListener('abort', () => (aborted = true));
              return never();
            },
            'check the path to the thing',
          ),
          check('next', async () => pass('ran')),
        ],
      ],
      { checkTimeoutMs: 50, budgetMs: 5_000, clock },
    );
    await clock.advance(50);
    const results = await running;
    expect(aborted).toBe(true);
    expect(results).toEqual([
      { name: 'hangs', status: 'fail', detail: 'did not finish within 50 ms', fix: 'check the path to the thing' },
      { name: 'next', status: 'pass', detail: 'ran', fix: null },
    ]);
  });

  it('keeps the whole run inside its budget: a late check gets what is left, a later one nothing', async () => {
    const clock = new ManualClock();
    const running = runChecks([[check('one', never), check('two', never), check('three', async () => pass('never reached'))]], {
      checkTimeoutMs: 60,
      budgetMs: 100,
      clock,
    });
    await clock.advance(60);
    await clock.advance(40);
    const results = await running;
    expect(results[0]!.detail).toBe('did not finish within 60 ms');
    expect(results[1]!.detail).toBe('did not finish within 40 ms'); // what was left of the 100 ms
    expect(results[2]!.detail).toBe("not checked: the doctor's 100 ms ran out before this check");
  });

  it('reports a missing prerequisite as not checked, and a thrown error as a failure of the check', async () => {
    const results = await runChecks(
      [
        [
          check('needs-token', async () => {
            throw new NotChecked('genesys-token', 'no Genesys token');
          }),
          check('buggy', async () => {
            throw new Error('boom');
          }),
        ],
      ],
      { checkTimeoutMs: 1_000, budgetMs: 5_000 },
    );
    expect(results[0]).toEqual({
      name: 'needs-token',
      status: 'fail',
      detail: 'not checked: no Genesys token',
      fix: 'fix genesys-token first, then run the doctor again',
    });
    expect(results[1]).toMatchObject({ status: 'fail', detail: 'the check itself failed: boom' });
  });
});

describe('the doctor report', () => {
  const checks = [
    resultOf('configuration', pass('valid')),
    resultOf('genesys-token', fail('refused: invalid_client', 'set GENESYS_CLIENT_SECRET')),
    resultOf('alert-webhook', warn('not set', 'set ALERT_WEBHOOK_URL')),
  ];

  it('prints one line per check with ✔ ! ✘, the fix under each warning and failure, then a tally', () => {
    expect(humanReport(reportOf(checks), 1234)).toBe(
      [
        '✔ configuration  valid',
        '✘ genesys-token  refused: invalid_client',
        '                 fix: set GENESYS_CLIENT_SECRET',
        '! alert-webhook  not set',
        '                 fix: set ALERT_WEBHOOK_URL',
        '',
        '1 check passed, 1 warning, 1 failed (1.2 s)',
        '',
      ].join('\n'),
    );
  });

  it('is ok when nothing failed (warnings allowed); JSON carries exactly ok and checks', () => {
    expect(reportOf(checks).ok).toBe(false);
    expect(reportOf([checks[0]!, checks[2]!]).ok).toBe(true);
    expect(JSON.parse(jsonReport(reportOf(checks)))).toEqual({ ok: false, checks });
  });

  it('scrubs every known secret wherever an answer echoed it, longest first, ignoring very short values', () => {
    const out = scrub(
      [{ name: 'x', status: 'fail', detail: 'token abcdefghijklmnop and abcdefgh, pw p4ssw0rd-long', fix: 'not abcdefgh either; ok' }],
      ['abcdefgh', 'abcdefghijklmnop', 'p4ssw0rd-long', 'ok', undefined],
    );
    expect(out[0]).toEqual({
      name: 'x',
      status: 'fail',
      detail: 'token [REDACTED] and [REDACTED], pw [REDACTED]',
      fix: 'not [REDACTED] either; ok',
    });
  });
});

describe('the doctor configuration line and secrets', () => {
  it('counts callers from CALLERS_FILE and the environment, and knows their secrets', async () => {
    const env = testEnv({
      GATEWAY_BASIC_AUTH: undefined,
      GATEWAY_API_KEYS: undefined,
      CALLERS_FILE: writeCallersFile('callers:\n  - name: flows\n    apiKey: flows-key-0123456789\n    permissions: [actions:run]\n'),
    });
    let out = '';
    const io = { stdout: { write: (t: string) => void (out += t) }, stderr: { write: () => undefined } };
    const clock = new ManualClock();
    // Every check past the configuration is cut off at once: only the configuration line matters here.
    const running = runDoctor(env, ['--json'], io, { checkTimeoutMs: 1, budgetMs: 1, clock });
    await clock.advance(5);
    await running;
    const line = (JSON.parse(out) as { checks: Array<{ name: string; detail: string }> }).checks.find((c) => c.name === 'configuration')!;
    expect(line.detail).toMatch(/^valid: 1 caller \(CALLERS_FILE and environment\);/);
    expect(configSecrets(loadConfig(env, { requireCallerAuth: true }), env)).toContain('flows-key-0123456789');
  });
});

describe('the doctor judgements', () => {
  it('clock skew: fine within 5 s, a warning beyond, a failure past 30 s when callers send JWTs', () => {
    expect(judgeSkew(0, false)).toEqual(pass("this host's clock agrees with Genesys' (within the Date header's second)"));
    expect(judgeSkew(undefined, true).status).toBe('pass');
    expect(judgeSkew(4_000, true).status).toBe('pass');
    expect(judgeSkew(-7_000, false)).toMatchObject({
      status: 'warn',
      detail: "this host's clock is 7.0 s ahead of Genesys'",
      fix: expect.stringContaining('NTP'),
    });
    expect(judgeSkew(45_000, false).status).toBe('warn');
    expect(judgeSkew(45_000, true)).toMatchObject({ status: 'fail', detail: expect.stringContaining('GATEWAY_JWKS_URL') });
  });

  it('rate limit: polling that takes more than half the paced budget is a warning naming MONITOR_POLL_INTERVAL_MS', () => {
    const config = { genesys: { rateLimitPerMinute: 300 } as never, monitor: { pollIntervalMs: 1_000, notifications: true } };
    expect(judgeRateLimit(300, 3, 2, config).status).toBe('pass');
    expect(judgeRateLimit(180, undefined, 120, config)).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining('180 requests a minute per token'),
      fix: expect.stringContaining('MONITOR_POLL_INTERVAL_MS (now 1000'),
    });
    expect(judgeRateLimit(undefined, undefined, 2, config)).toMatchObject({
      status: 'pass',
      detail: expect.stringContaining('GENESYS_RATE_LIMIT_PER_MINUTE (300)'),
    });
  });

  it('trunks: counted by what they report, with their state now; none at all is a warning', () => {
    const registered = {
      id: 't1',
      name: 'Premises',
      registersEnabledStatus: 'ENABLED',
      registersStatus: [{ proxyAddress: 'p:5060', registerState: true }],
      connectedStatus: { connected: true },
    };
    const rejected = {
      id: 't2',
      name: 'Lumen',
      registersEnabledStatus: 'ENABLED',
      registersStatus: [{ proxyAddress: 'p:5060', registerState: false, errorInfo: { code: '403', text: 'Forbidden' } }],
    };
    const cloud = {
      id: 't3',
      name: 'Cloud',
      registersEnabledStatus: 'NOT_SUPPORTED',
      connectedStatus: { connected: true },
      optionsStatus: [{ proxyAddress: 'c:5060', optionState: true }],
    };
    const disabled = { id: 't4', name: 'Off', registersEnabledStatus: 'DISABLED', connectedStatus: { connected: false } };
    expect(judgeTrunks([registered, rejected, cloud, disabled])).toEqual(
      pass(
        '4 trunks: 2 report registration, 2 only OPTIONS/connection (1 NOT_SUPPORTED: BYOC Cloud?); now 1 registered, 1 rejected, 1 connected, 1 dropped (Lumen rejected 403, Off dropped)',
      ),
    );
    expect(judgeTrunks([cloud, disabled]).status).toBe('warn');
    expect(judgeTrunks([])).toMatchObject({ status: 'warn', fix: expect.stringContaining('GENESYS_CLIENT_ID') });
  });

  it('migrations: current, pending (a warning), unknown to this build (a failure), none yet', () => {
    const all = migrations.map((m) => m.version);
    expect(judgeMigrations(all, 'db').status).toBe('pass');
    expect(judgeMigrations(all.slice(0, 1), 'db').status).toBe(all.length > 1 ? 'warn' : 'pass');
    expect(judgeMigrations([...all, 999], 'db')).toMatchObject({ status: 'fail', detail: expect.stringContaining('999') });
    expect(judgeMigrations([], 'db')).toEqual(pass('db has no trunkgate tables yet: npm start creates them'));
  });
});
