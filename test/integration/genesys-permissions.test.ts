import { afterEach, describe, expect, it } from 'vitest';
import { createApp, type TrunkgateApp } from '../../src/app/create-app.js';
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, defaultTrunkIds, TRUNKGATE_ROLE } from '../../src/sim/genesys/index.js';
import type { Simulators } from '../../src/sim/start-simulators.js';
import { startActionHarness, type ActionHarness } from '../support/action-harness.js';
import { apiClient } from '../support/api-client.js';
import { eventually } from '../support/eventually.js';
import { startTestSims } from '../support/sims.js';
import { memoryLogger, testConfig } from '../support/test-config.js';
import { nextEvent, startMonitorRig } from '../support/monitor-rig.js';

const NO_ROLES = {
  clients: [{ clientId: DEMO_CLIENT_ID, clientSecret: DEMO_CLIENT_SECRET, scopes: ['telephony', 'notifications'], roles: [] }],
};
const REFUSED_GET_TRUNKS =
  "Genesys refused GET trunks: the OAuth client's role lacks the permission telephony:plugin:all (missing.any.permissions)";

describe('get-trunk when the OAuth client lacks telephony:plugin:all', () => {
  let h: ActionHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('answers upstream_error naming the operation, the permission and Genesys code, without asking for a new token', async () => {
    h = await startActionHarness();
    await h.run('get-trunk', { trunkId: defaultTrunkIds.acmePbx }).expect(200);
    h.sims.genesys.control.setClientRoles(DEMO_CLIENT_ID, []);
    const res = await h.run('get-trunk', { trunkId: defaultTrunkIds.acmePbx });
    expect(res.status).toBe(502);
    expect(res.body.error).toEqual({
      code: 'upstream_error',
      message:
        "Genesys refused get-trunk.trunk: the OAuth client's role lacks the permission telephony:plugin:all (missing.any.permissions)",
      details: [
        expect.objectContaining({
          upstream: 'genesys',
          operation: 'get-trunk.trunk',
          status: 403,
          missingPermissions: ['telephony:plugin:all'],
          permissionCode: 'missing.any.permissions',
        }),
      ],
    });
    // The token had worked: a 403 on it is a permission problem, not a rotation race.
    expect(h.sims.genesys.stats().tokenRequests).toBe(1);
  });

  it('a 403 on a fresh, never-accepted token is still retried once with a new verified token, and never more', async () => {
    h = await startActionHarness({ genesys: NO_ROLES });
    const first = await h.run('get-trunk', { trunkId: defaultTrunkIds.acmePbx });
    expect(first.status).toBe(502);
    expect(first.body.error.message).toContain('lacks the permission telephony:plugin:all');
    const afterFirst = h.sims.genesys.stats();
    expect(afterFirst.tokenRequests).toBe(2);
    expect(afterFirst.byRoute['GET /api/v2/telephony/providers/edges/trunks/{trunkId}']).toBe(2);
    await h.run('get-trunk', { trunkId: defaultTrunkIds.acmePbx }).expect(502);
    expect(h.sims.genesys.stats().tokenRequests).toBe(2);
  });
});

describe('the trunk monitor refused by a missing permission', () => {
  let sims: Simulators | undefined;
  let app: TrunkgateApp | undefined;
  afterEach(async () => {
    await app?.close();
    await sims?.close();
    app = undefined;
  });

  it('logs it, shows it in /readyz (still ready), opens credentials_failed naming it, and resolves once the role is back', async () => {
    const started = await startTestSims({ genesys: NO_ROLES });
    sims = started.sims;
    const logs = memoryLogger('info');
    app = await createApp(
      testConfig({
        ...started.env,
        MONITOR_NOTIFICATIONS: 'false',
        MONITOR_POLL_INTERVAL_MS: '1000',
        INCIDENT_OPEN_AFTER_MS: '0',
        INCIDENT_RESOLVE_AFTER_MS: '300',
      }),
      { logger: logs.logger, processMetrics: false },
    );
    const base = await app.listen(0, '127.0.0.1');
    const api = apiClient(base);

    const ready = await eventually(async () => {
      const res = await fetch(`${base}/readyz`);
      const body = (await res.json()) as { status: string; checks: Record<string, { ok: boolean; detail: string; advisory?: boolean }> };
      expect(body.checks['genesys-permissions']!.ok).toBe(false);
      return { status: res.status, body };
    });
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe('ready');
    expect(ready.body.checks['genesys-permissions']).toEqual({
      ok: false,
      advisory: true,
      detail: expect.stringContaining(`trunk polling: ${REFUSED_GET_TRUNKS}`),
    });

    const errors = logs.lines().filter((l) => l.level === 'error' && l.module === 'monitor/permissions');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      operation: 'GET trunks',
      missingPermissions: ['telephony:plugin:all'],
      message: expect.stringContaining(REFUSED_GET_TRUNKS),
    });
    expect(
      logs.lines().some((l) => l.message === 'trunk poll failed; trying again at the next interval' && l.operation === 'GET trunks'),
    ).toBe(true);

    const credentialsIncident = () =>
      sims!.servicenow.incidents().filter((i) => i.fields.correlation_id === 'trunkgate:credentials:genesys');
    const [incident] = await eventually(() => {
      expect(credentialsIncident()).toHaveLength(1);
      return credentialsIncident();
    });
    const description = String(incident!.fields.description);
    expect(description).toContain(`trunk polling: ${REFUSED_GET_TRUNKS}`);
    expect(description).toContain(
      "Genesys Cloud refuses GET trunks because the OAuth client's role lacks the permission telephony:plugin:all",
    );
    expect(description).toContain('Admin > Integrations > OAuth > the client > Roles');
    expect((await api.get('/v1/incidents')).body.incidents[0]).toMatchObject({
      kind: 'credentials_failed',
      correlationId: 'trunkgate:credentials:genesys',
    });

    sims.genesys.control.setClientRoles(DEMO_CLIENT_ID, [TRUNKGATE_ROLE]);
    await eventually(async () =>
      expect(
        ((await (await fetch(`${base}/readyz`)).json()) as { checks: Record<string, { ok: boolean }> }).checks['genesys-permissions']!.ok,
      ).toBe(true),
    );
    await eventually(() => expect(credentialsIncident()[0]!.fields).toMatchObject({ state: '6' }), { timeoutMs: 20_000 });
    expect(credentialsIncident()).toHaveLength(1);
  });
});

describe('notification subscriptions refused by a missing permission', () => {
  let rig: Awaited<ReturnType<typeof startMonitorRig>> | undefined;
  afterEach(async () => {
    await rig?.close();
    rig = undefined;
  });

  it('the failed re-subscription is logged naming the permission and operation, and the watch reports it until a subscription succeeds', async () => {
    rig = await startMonitorRig({ tuning: { reconnectBackoff: { baseMs: 50, capMs: 200 } } });
    const opened = nextEvent(rig.monitor, 'channelOpened');
    rig.monitor.start();
    await opened;
    expect(rig.permissions.problems()).toEqual([]);

    rig.sim.control.setClientRoles(DEMO_CLIENT_ID, []);
    rig.sim.control.dropSockets();
    // The re-poll that follows the start may be refused as well ('trunk polling'): look for the subscription.
    const problem = await eventually(() => {
      const found = rig!.permissions.problems().find((p) => p.feature === 'trunk notifications');
      expect(found).toBeDefined();
      return found;
    });
    expect(problem).toMatchObject({
      feature: 'trunk notifications',
      operation: 'PUT notifications subscriptions',
      permissions: ['telephony:plugin:all'],
      message:
        "Genesys refused PUT notifications subscriptions: the OAuth client's role lacks the permission telephony:plugin:all (missing.any.permissions)",
    });
    const retried = rig.logs
      .lines()
      .find((l) => l.module === 'monitor/channel' && String(l.message).startsWith('notification channel could not be opened'));
    expect(JSON.stringify(retried)).toContain(problem!.message);

    const repolled = nextEvent(rig.monitor, 'poll', (p) => p.ok && p.reason === 'reconnect');
    rig.sim.control.setClientRoles(DEMO_CLIENT_ID, [TRUNKGATE_ROLE]);
    await repolled;
    expect(rig.permissions.problems()).toEqual([]);
  });
});
