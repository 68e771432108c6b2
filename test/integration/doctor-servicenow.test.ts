import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { demoReferenceIds, DEMO_USER } from '../../src/sim/servicenow/index.js';
import type { Simulators } from '../../src/sim/start-simulators.js';
import { doctor, doctorJson, expectNoSecrets, lineOf, webhookServer } from '../support/doctor-harness.js';
import { startTestSims } from '../support/sims.js';

describe('trunkgate doctor: ServiceNow and the alert webhook', () => {
  let sims: Simulators;
  let env: Record<string, string>;
  beforeAll(async () => {
    ({ sims, env } = await startTestSims());
  });
  afterAll(async () => {
    await sims.close();
  });
  afterEach(async () => {
    await sims.servicenow.control.restore();
  });

  it('ServiceNow down (503): servicenow-instance fails with what to do; what needs the instance is not checked', async () => {
    await sims.servicenow.control.outage({ mode: '503', body: 'html' });
    const run = await doctor(env);
    expect(run.code).toBe(1);
    expect(lineOf(run.stdout, 'servicenow-instance')).toBe(
      [
        `✘ servicenow-instance          ${sims.servicenow.url} answered 503: the instance is unavailable (maintenance, or a hibernating developer instance)`,
        '                               fix: wake the instance (developer instances hibernate) or wait for its maintenance to end, then run the doctor again',
      ].join('\n'),
    );
    expect(lineOf(run.stdout, 'servicenow-auth')).toContain('not checked: the instance is unavailable (503)');
    expect(lineOf(run.stdout, 'genesys-trunks')).toMatch(/^✔/);
  });

  it('ServiceNow unreachable (connection refused)', async () => {
    await sims.servicenow.control.outage({ mode: 'refused', durationMs: 60_000 });
    const run = await doctorJson(env);
    expect(run.code).toBe(1);
    expect(run.check('servicenow-instance')).toEqual({
      name: 'servicenow-instance',
      status: 'fail',
      detail: `${sims.servicenow.url} cannot be reached: ECONNREFUSED`,
      fix: `check SERVICENOW_INSTANCE_URL and that this host reaches ${sims.servicenow.url} (DNS, proxy, firewall)`,
    });
  });

  it('wrong ServiceNow password (Basic): servicenow-auth names the settings', async () => {
    const run = await doctorJson({ ...env, SERVICENOW_PASSWORD: 'not-the-sn-password-42' });
    expect(run.code).toBe(1);
    expect(run.check('servicenow-instance').status).toBe('pass');
    expect(run.check('servicenow-auth')).toEqual({
      name: 'servicenow-auth',
      status: 'fail',
      detail: `ServiceNow refused Basic auth as ${DEMO_USER.username} (401 User Not Authenticated)`,
      fix: 'check SERVICENOW_USERNAME and SERVICENOW_PASSWORD (the user must be active, not locked out, its password not expired)',
    });
    expect(run.check('servicenow-incident-read')).toMatchObject({
      status: 'fail',
      detail: 'not checked: ServiceNow refused the credentials',
    });
    expectNoSecrets(run.stdout, ['not-the-sn-password-42']);
  });

  it('wrong ServiceNow password (OAuth password grant): the grant refusal is named', async () => {
    const { sims: own, env: oauth } = await startTestSims({ servicenowAuth: 'oauth-password' });
    try {
      const run = await doctorJson({ ...oauth, SERVICENOW_PASSWORD: 'not-the-sn-password-42' });
      expect(run.code).toBe(1);
      expect(run.check('servicenow-auth')).toMatchObject({
        status: 'fail',
        detail: `ServiceNow refused the password grant for ${DEMO_USER.username}: the token endpoint answered 401 server_error (access_denied)`,
        fix: expect.stringContaining('SERVICENOW_USERNAME and SERVICENOW_PASSWORD'),
      });
      expectNoSecrets(run.stdout, ['not-the-sn-password-42']);
    } finally {
      await own.close();
    }
  });

  it('reports the rate-limit rule the instance announces, and warns when it is tiny', async () => {
    await sims.servicenow.control.setRateLimit({ limit: 1000 });
    let run = await doctorJson(env);
    expect(run.check('servicenow-rate-limit')).toMatchObject({
      status: 'pass',
      detail: expect.stringMatching(
        /^rule \w+ allows 1000 requests an hour \(X-RateLimit-Limit\), window ends .*; trunkgate keeps to 900$/,
      ),
    });
    await sims.servicenow.control.setRateLimit({ limit: 30 });
    run = await doctorJson(env);
    expect(run.check('servicenow-rate-limit')).toMatchObject({ status: 'warn', fix: expect.stringContaining('Rate Limit Rules') });
    await sims.servicenow.control.setRateLimit(null);
  });

  it('looks the incident reference fields up: by name, by sys_id, and names the variable of one that matches nothing', async () => {
    const good = await doctorJson({
      ...env,
      INCIDENT_ASSIGNMENT_GROUP: 'Network Operations',
      INCIDENT_CALLER_ID: DEMO_USER.username,
      INCIDENT_CMDB_CI: demoReferenceIds.byocTrunks,
    });
    expect(good.check('servicenow-reference-fields')).toMatchObject({
      status: 'pass',
      detail: expect.stringMatching(
        new RegExp(
          `^assignment_group "Network Operations" is sys_user_group ${demoReferenceIds.networkOperations}; caller_id "trunkgate.integration" is sys_user [0-9a-f]{32}; cmdb_ci "${demoReferenceIds.byocTrunks}" is cmdb_ci "Genesys Cloud BYOC trunks"$`,
        ),
      ),
    });
    const bad = await doctorJson({ ...env, INCIDENT_ASSIGNMENT_GROUP: 'Network Ops' });
    expect(bad.code).toBe(1);
    expect(bad.check('servicenow-reference-fields')).toEqual({
      name: 'servicenow-reference-fields',
      status: 'fail',
      detail: 'assignment_group "Network Ops" names no sys_user_group record; caller_id, cmdb_ci not set',
      fix: 'set INCIDENT_ASSIGNMENT_GROUP (assignment_group in mappings/incident.yaml) to the sys_id or exact name of a sys_user_group record',
    });
    const unset = await doctorJson(env);
    expect(unset.check('servicenow-reference-fields').detail).toBe(
      "assignment_group, caller_id, cmdb_ci not set in mappings/incident.yaml (incidents get the instance's defaults)",
    );
  });

  it('a value cannot add a condition to the lookup (^ is escaped as ^^)', async () => {
    const run = await doctorJson({ ...env, INCIDENT_ASSIGNMENT_GROUP: 'Nothing^ORname=Service Desk' });
    expect(run.check('servicenow-reference-fields')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('"Nothing^ORname=Service Desk" names no sys_user_group record'),
    });
  });

  it("--write-test opens one labelled incident with the mapping's fields and cancels it at once", async () => {
    const before = sims.servicenow.incidents().length;
    const run = await doctorJson({ ...env, INCIDENT_ASSIGNMENT_GROUP: demoReferenceIds.networkOperations }, ['--write-test']);
    expect(run.code).toBe(0);
    const created = sims.servicenow.incidents().slice(before);
    expect(created).toHaveLength(1);
    const incident = created[0]!;
    expect(run.check('servicenow-write-test')).toEqual({
      name: 'servicenow-write-test',
      status: 'pass',
      detail: `opened ${incident.number} and cancelled it (state 8)`,
      fix: null,
    });
    expect(incident.fields).toMatchObject({
      state: '8',
      short_description: expect.stringContaining('trunkgate doctor: write test'),
      assignment_group: demoReferenceIds.networkOperations,
      urgency: '2',
      category: 'network',
    });
    expect(incident.fields.correlation_id).toMatch(/^trunkgate:doctor:/);
    // Without the flag nothing is written.
    await doctorJson(env);
    expect(sims.servicenow.incidents().length).toBe(before + 1);
  });

  it('webhook refusing: reachable without a message, --webhook-test fails and exits 1', async () => {
    const hook = await webhookServer({ head: 405, post: 403 });
    try {
      const quiet = await doctorJson({ ...env, ALERT_WEBHOOK_URL: hook.url });
      expect(quiet.check('alert-webhook')).toMatchObject({
        status: 'pass',
        detail: expect.stringContaining('reachable (answered 405 to a HEAD request; no message posted'),
      });
      expect(hook.bodies).toEqual([]);
      const run = await doctor({ ...env, ALERT_WEBHOOK_URL: hook.url }, ['--webhook-test']);
      expect(run.code).toBe(1);
      const origin = new URL(hook.url).origin;
      expect(lineOf(run.stdout, 'alert-webhook-test')).toBe(
        [
          `✘ alert-webhook-test           the test message was not delivered to ${origin}: the webhook answered 403 to POST alert`,
          '                               fix: check the incoming webhook behind ALERT_WEBHOOK_URL (still enabled, the channel still there), or create a new one and set ALERT_WEBHOOK_URL to it',
        ].join('\n'),
      );
      expect(hook.bodies).toHaveLength(1);
      expect(JSON.parse(hook.bodies[0]!)).toEqual({ text: expect.stringContaining('doctor: test message') });
      expectNoSecrets(run.stdout, [hook.url, 'webhook-secret-part']);
    } finally {
      await hook.close();
    }
  });

  it('a webhook that refuses even a HEAD is a warning; one that takes the test message passes', async () => {
    const refusing = await webhookServer({ head: 403, post: 200 });
    try {
      const run = await doctorJson({ ...env, ALERT_WEBHOOK_URL: refusing.url }, ['--webhook-test']);
      expect(run.check('alert-webhook')).toMatchObject({ status: 'warn', fix: expect.stringContaining('--webhook-test') });
      expect(run.check('alert-webhook-test')).toMatchObject({
        status: 'pass',
        detail: `test message accepted by ${new URL(refusing.url).origin}`,
      });
    } finally {
      await refusing.close();
    }
  });

  it('a check that hangs is cut off at its bound and said so', async () => {
    await sims.servicenow.control.outage({ mode: 'slow', delayMs: 3_000 });
    const run = await doctorJson(env, [], { checkTimeoutMs: 400, budgetMs: 20_000 });
    expect(run.check('servicenow-instance')).toEqual({
      name: 'servicenow-instance',
      status: 'fail',
      detail: 'did not finish within 400 ms',
      fix: `check that this host reaches ${sims.servicenow.url} (DNS, proxy, firewall)`,
    });
    // The run did not wait for the slow answers (the runner's own bound is tested on a manual clock).
    expect(run.check('servicenow-auth').detail).toMatch(/^(did not finish within|not checked)/);
  });
});
