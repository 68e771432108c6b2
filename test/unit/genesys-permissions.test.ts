import { describe, expect, it } from 'vitest';
import { UpstreamError } from '../../src/errors/app-error.js';
import { GenesysAccess, type PermissionProblem } from '../../src/incidents/genesys-access.js';
import { credentialsFacts } from '../../src/incidents/credentials-texts.js';
import { PermissionWatch } from '../../src/monitor/permission-watch.js';
import { ManualClock } from '../../src/time/manual-clock.js';
import { forbiddenMessage, permissionRefusalOf, refusalOfError } from '../../src/upstream/genesys-permissions.js';
import { memoryLogger } from '../support/test-config.js';

const ANY_BODY = {
  message:
    'Unable to perform the requested action. You must have at least one of the following permissions assigned: [telephony:plugin:all]',
  code: 'missing.any.permissions',
  status: 403,
  contextId: 'c0ffee',
  messageWithParams:
    'Unable to perform the requested action. You must have at least one of the following permissions assigned: {permissions}',
  messageParams: { permissions: '[telephony:plugin:all]' },
};

describe('reading a Genesys 403', () => {
  it('takes the permissions from the message, with the code', () => {
    expect(permissionRefusalOf(ANY_BODY)).toEqual({ code: 'missing.any.permissions', permissions: ['telephony:plugin:all'], anyOf: true });
    const all = {
      code: 'missing.permissions',
      message:
        'Unable to perform the requested action. You are missing the following permission(s): [telephony:plugin:all, routing:queue:view]',
    };
    expect(permissionRefusalOf(all)).toEqual({
      code: 'missing.permissions',
      permissions: ['telephony:plugin:all', 'routing:queue:view'],
      anyOf: false,
    });
  });

  it('falls back to messageParams, and tolerates a body that names nothing', () => {
    expect(
      permissionRefusalOf({ code: 'missing.permissions', message: 'Forbidden', messageParams: { permissions: 'telephony:plugin:all' } })
        .permissions,
    ).toEqual(['telephony:plugin:all']);
    expect(permissionRefusalOf({ code: 'not.authorized', message: 'You are not authorized to perform the requested action.' })).toEqual({
      code: 'not.authorized',
      permissions: [],
      anyOf: false,
    });
    expect(permissionRefusalOf('<html>Forbidden</html>')).toEqual({ permissions: [], anyOf: false });
    expect(permissionRefusalOf(undefined)).toEqual({ permissions: [], anyOf: false });
  });

  it('says which operation was refused and what the role lacks', () => {
    expect(forbiddenMessage('GET trunk', permissionRefusalOf(ANY_BODY))).toBe(
      "Genesys refused GET trunk: the OAuth client's role lacks the permission telephony:plugin:all (missing.any.permissions)",
    );
    expect(forbiddenMessage('GET trunks', { code: 'missing.any.permissions', permissions: ['a:b:c', 'd:e:f'], anyOf: true })).toBe(
      "Genesys refused GET trunks: the OAuth client's role lacks one of the permissions a:b:c, d:e:f (missing.any.permissions)",
    );
    expect(forbiddenMessage('GET trunks', { permissions: [], anyOf: false })).toBe(
      "Genesys refused GET trunks: the OAuth client's role lacks a permission (Genesys did not say which)",
    );
  });

  it('recognises only Genesys refusals among trunkgate errors', () => {
    const refused = new UpstreamError('Genesys refused GET trunks: …', {
      upstream: 'genesys',
      operation: 'GET trunks',
      status: 403,
      missingPermissions: ['telephony:plugin:all'],
      permissionCode: 'missing.any.permissions',
    });
    expect(refusalOfError(refused)).toMatchObject({ operation: 'GET trunks', permissions: ['telephony:plugin:all'], anyOf: true });
    expect(refusalOfError(new UpstreamError('x', { upstream: 'genesys', operation: 'GET trunks', status: 500 }))).toBeUndefined();
    expect(refusalOfError(new UpstreamError('x', { upstream: 'servicenow', operation: 'GET incident', status: 403 }))).toBeUndefined();
    expect(refusalOfError(new Error('boom'))).toBeUndefined();
  });
});

describe('PermissionWatch', () => {
  const refusal = (operation: string, permission = 'telephony:plugin:all') =>
    new UpstreamError(
      `Genesys refused ${operation}: the OAuth client's role lacks the permission ${permission} (missing.any.permissions)`,
      {
        upstream: 'genesys',
        operation,
        status: 403,
        missingPermissions: [permission],
        permissionCode: 'missing.any.permissions',
      },
    );

  it('announces a refused feature once, logs it at ERROR, shows it to readiness, and clears it on the next success', () => {
    const clock = new ManualClock(Date.parse('2026-01-01T12:00:00Z'));
    const logs = memoryLogger();
    const watch = new PermissionWatch({ clock, logger: logs.logger });
    const events: string[] = [];
    watch.on('missing', (problems) => events.push(`missing ${problems.map((p) => p.feature).join('+')}`));
    watch.on('restored', () => events.push('restored'));
    expect(watch.readiness()).toEqual({ ok: true, detail: expect.stringContaining('not checked yet') });

    expect(watch.failed('trunk polling', new UpstreamError('down', { upstream: 'genesys', operation: 'GET trunks', status: 503 }))).toBe(
      false,
    );
    expect(watch.failed('trunk polling', refusal('GET trunks'))).toBe(true);
    expect(watch.failed('trunk polling', refusal('GET trunks'))).toBe(true);
    watch.failed('trunk notifications', refusal('PUT notifications subscriptions'));
    expect(events).toEqual(['missing trunk polling', 'missing trunk polling+trunk notifications']);
    const errors = logs.lines().filter((l) => l.level === 'error');
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatchObject({
      operation: 'GET trunks',
      missingPermissions: ['telephony:plugin:all'],
      message: expect.stringContaining('lacks the permission telephony:plugin:all'),
    });
    expect(watch.readiness()).toEqual({
      ok: false,
      detail: expect.stringMatching(
        /^trunk polling: Genesys refused GET trunks: .*telephony:plugin:all.*since 2026-01-01T12:00:00.000Z\); trunk notifications: Genesys refused PUT notifications subscriptions/,
      ),
    });

    watch.succeeded('trunk polling');
    watch.succeeded('trunk notifications');
    expect(events.slice(2)).toEqual(['missing trunk notifications', 'restored']);
    expect(watch.readiness().ok).toBe(true);
  });
});

describe('the Genesys credentials verdict (token and permissions)', () => {
  const problem: PermissionProblem = {
    feature: 'trunk polling',
    operation: 'GET trunks',
    permissions: ['telephony:plugin:all'],
    message: "Genesys refused GET trunks: the OAuth client's role lacks the permission telephony:plugin:all (missing.any.permissions)",
  };

  it('stays failing while either the token or a permission fails, and recovers once neither does', () => {
    const verdicts: string[] = [];
    const access = new GenesysAccess({
      failed: (e) => verdicts.push(`failed ${e.permanent ? 'permanent' : 'transient'}: ${e.message}`),
      recovered: () => verdicts.push('recovered'),
    });
    access.permissionsMissing([problem], 1);
    access.tokenFailed({ upstream: 'genesys', at: 2, permanent: false, message: 'login unreachable' });
    access.tokenRecovered(3);
    access.permissionsRestored(4);
    expect(verdicts).toEqual([
      `failed permanent: trunk polling: ${problem.message}`,
      `failed permanent: login unreachable; trunk polling: ${problem.message}`,
      `failed permanent: trunk polling: ${problem.message}`,
      'recovered',
    ]);
  });

  it("the incident's advice names the permission, the operation and where roles are assigned", () => {
    const facts = credentialsFacts(
      { failingSince: 0, healthySince: null, message: problem.message, permanent: true, access: { token: null, permissions: [problem] } },
      { openAfterMs: 0, resolveAfterMs: 0, correlationId: 'trunkgate:credentials:genesys', now: 1 },
    );
    expect(facts.failureMessage).toContain('telephony:plugin:all');
    expect(facts.advice).toMatch(
      /^trunkgate gets Genesys tokens, but Genesys Cloud refuses GET trunks because the OAuth client's role lacks the permission telephony:plugin:all\./,
    );
    expect(facts.advice).toContain('Telephony > Plugin > All');
    expect(facts.advice).toContain('Admin > Integrations > OAuth > the client > Roles');
    expect(facts.advice).not.toContain('login service');
  });
});
