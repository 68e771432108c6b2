import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  defaultTrunkIds,
  startGenesysSim,
  TRUNKGATE_ROLE,
  type GenesysSim,
  type GenesysSimOptions,
  type GenesysTokenInfo,
  type GenesysTokenResponse,
} from '../../src/sim/genesys/index.js';

const TRUNKS = '/api/v2/telephony/providers/edges/trunks';

describe('Genesys simulator: roles, permissions and scopes', () => {
  let sim: GenesysSim;
  let token: string;

  const start = async (options: GenesysSimOptions = {}) => {
    sim = await startGenesysSim(options);
    token = await grant();
  };
  const grant = async () => {
    const res = await fetch(`${sim.url}/oauth/token`, {
      method: 'POST',
      headers: {
        Authorization: `Basic ${btoa(`${DEMO_CLIENT_ID}:${DEMO_CLIENT_SECRET}`)}`,
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    return ((await res.json()) as GenesysTokenResponse).access_token;
  };
  const api = (path: string, t = token) => fetch(`${sim.url}${path}`, { headers: { Authorization: `Bearer ${t}` } });
  const control = (method: string, path: string, body: unknown) =>
    fetch(`${sim.url}/__sim/genesys${path}`, { method, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const withRoles = (roles: { name: string; permissions: string[] }[], scopes?: string[]): GenesysSimOptions => ({
    clients: [{ clientId: DEMO_CLIENT_ID, clientSecret: DEMO_CLIENT_SECRET, ...(scopes ? { scopes } : {}), roles }],
  });

  afterEach(() => sim.close());

  describe('a client whose roles lack telephony:plugin:all', () => {
    beforeEach(() =>
      start(withRoles([{ name: 'reporting', permissions: ['analytics:conversationDetail:view'] }], ['telephony', 'telephony:readonly'])),
    );

    it.each([TRUNKS, `${TRUNKS}/${defaultTrunkIds.twilio}`])(
      'GET %s answers 403 with the body Genesys sends for a missing permission',
      async (path) => {
        const res = await api(path);
        expect(res.status).toBe(403);
        expect(await res.json()).toEqual({
          message:
            'Unable to perform the requested action. You must have at least one of the following permissions assigned: [telephony:plugin:all]',
          code: 'missing.any.permissions',
          status: 403,
          contextId: res.headers.get('inin-correlation-id'),
          details: [],
          errors: [],
          messageWithParams:
            'Unable to perform the requested action. You must have at least one of the following permissions assigned: {permissions}',
          messageParams: { permissions: '[telephony:plugin:all]' },
        });
      },
    );

    it('tokens/me still answers (it needs no permission) and lists only OAuth scopes', async () => {
      const res = await api('/api/v2/tokens/me');
      expect(res.status).toBe(200);
      expect(((await res.json()) as GenesysTokenInfo).authorizedScope).toEqual(['telephony', 'telephony:readonly']);
    });
  });

  it('authorizedScope never lists the permissions of the roles, and can be empty', async () => {
    await start(withRoles([TRUNKGATE_ROLE]));
    expect((await api(TRUNKS)).status).toBe(200);
    expect(((await (await api('/api/v2/tokens/me')).json()) as GenesysTokenInfo).authorizedScope).toEqual([]);
  });

  it('a wildcard permission covers the trunk permission', async () => {
    await start(withRoles([{ name: 'telephony admin', permissions: ['telephony:*:*'] }]));
    expect((await api(TRUNKS)).status).toBe(200);
  });

  it('roles changed at runtime (HTTP control) apply at once to tokens already issued', async () => {
    await start();
    expect((await api(TRUNKS)).status).toBe(200);
    const removed = await control('PUT', `/clients/${DEMO_CLIENT_ID}/roles`, { roles: [] });
    expect(removed.status).toBe(200);
    expect(await removed.json()).toEqual({
      clientId: DEMO_CLIENT_ID,
      name: 'trunkgate sandbox',
      scopes: ['telephony:readonly', 'notifications'],
      roles: [],
    });
    expect((await api(TRUNKS)).status).toBe(403);
    expect((await control('PUT', `/clients/${DEMO_CLIENT_ID}/roles`, { roles: [TRUNKGATE_ROLE] })).status).toBe(200);
    expect((await api(TRUNKS)).status).toBe(200);
  });

  it('scopes changed at runtime apply to tokens issued from then on; reset() restores roles and scopes', async () => {
    await start();
    expect((await control('PUT', `/clients/${DEMO_CLIENT_ID}/scopes`, { scopes: [] })).status).toBe(200);
    sim.control.setClientRoles(DEMO_CLIENT_ID, []);
    expect(((await (await api('/api/v2/tokens/me')).json()) as GenesysTokenInfo).authorizedScope).toEqual([
      'telephony:readonly',
      'notifications',
    ]);
    expect(((await (await api('/api/v2/tokens/me', await grant())).json()) as GenesysTokenInfo).authorizedScope).toEqual([]);
    sim.control.reset();
    expect(sim.control.settings().clients).toEqual([
      { clientId: DEMO_CLIENT_ID, name: 'trunkgate sandbox', scopes: ['telephony:readonly', 'notifications'], roles: [TRUNKGATE_ROLE] },
    ]);
    expect((await api(TRUNKS)).status).toBe(200);
  });

  it('the control API refuses a malformed role (400) and an unknown client (404)', async () => {
    await start();
    const bad = await control('PUT', `/clients/${DEMO_CLIENT_ID}/roles`, { roles: [{ name: 'r', permissions: ['telephony'] }] });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({
      error: { code: 'invalid_request', message: expect.stringContaining('domain:entity:action') },
    });
    expect((await control('PUT', '/clients/nobody/roles', { roles: [] })).status).toBe(404);
    expect((await control('PUT', `/clients/${DEMO_CLIENT_ID}/scopes`, { scopes: 'notifications' })).status).toBe(400);
  });
});
