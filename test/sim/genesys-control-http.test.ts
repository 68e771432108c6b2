import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  defaultTrunkIds,
  startGenesysSim,
  type GenesysSim,
  type GenesysSimSettings,
  type GenesysSimStats,
  type GenesysTokenResponse,
  type GenesysTrunk,
} from '../../src/sim/genesys/index.js';

const START = Date.parse('2025-03-01T09:00:00.000Z');
const TRUNKS = '/api/v2/telephony/providers/edges/trunks';

describe('Genesys simulator: HTTP control API /__sim/genesys', () => {
  let now = START;
  let sim: GenesysSim;

  const control = (method: string, path: string, body?: unknown) =>
    fetch(`${sim.url}/__sim/genesys${path}`, {
      method,
      headers: { 'Content-Type': 'application/json' },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
  const grant = (secret = DEMO_CLIENT_SECRET) =>
    fetch(`${sim.url}/oauth/token`, {
      method: 'POST',
      headers: {
        Authorization: `Basic ${Buffer.from(`${DEMO_CLIENT_ID}:${secret}`).toString('base64')}`,
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
  const token = async () => ((await (await grant()).json()) as GenesysTokenResponse).access_token;
  const api = (path: string, t: string) => fetch(`${sim.url}${path}`, { headers: { Authorization: `Bearer ${t}` } });

  beforeEach(async () => {
    now = START;
    sim = await startGenesysSim({ clock: () => now });
  });
  afterEach(() => sim.close());

  it('POST /trunks/{id}/state rejects a trunk with the code where asked', async () => {
    const res = await control('POST', `/trunks/${defaultTrunkIds.twilio}/state`, {
      state: 'rejected',
      sipCode: 403,
      text: 'Forbidden',
      sipCodeIn: 'text',
    });
    expect(res.status).toBe(200);
    const trunk = (await res.json()) as GenesysTrunk;
    expect(trunk.registersStatus[0]!.errorInfo).toEqual({
      text: '403 Forbidden',
      details: { message: 'Forbidden', hostname: 'acme.pstn.twilio.example.com' },
    });
    const viaApi = (await (await api(`${TRUNKS}/${defaultTrunkIds.twilio}`, await token())).json()) as GenesysTrunk;
    expect(viaApi.registersStatus[0]!.registerState).toBe(false);
  });

  it('POST /trunks/{id}/registers-enabled, POST /trunks, GET and DELETE /trunks/{id}', async () => {
    const disabled = (await (
      await control('POST', `/trunks/${defaultTrunkIds.acmePbx}/registers-enabled`, { enabled: false })
    ).json()) as GenesysTrunk;
    expect(disabled.registersEnabledStatus).toBe('DISABLED');
    const created = await control('POST', '/trunks', {
      id: 'x1',
      name: 'Extra',
      edge: { id: 'e', name: 'E' },
      trunkBase: { id: 'b', name: 'B' },
      proxyAddressList: ['sip.extra.example:5060'],
      initialState: { state: 'dropped' },
    });
    expect(created.status).toBe(201);
    expect(((await (await control('GET', '/trunks/x1')).json()) as GenesysTrunk).connectedStatus.connected).toBe(false);
    expect(((await (await control('GET', '/trunks')).json()) as { trunks: GenesysTrunk[] }).trunks).toHaveLength(8);
    expect((await control('DELETE', '/trunks/x1')).status).toBe(204);
    expect((await control('DELETE', '/trunks/x1')).status).toBe(404);
  });

  it('POST /propagation-lag and /token-lifetime change the tokens issued next', async () => {
    expect((await control('POST', '/propagation-lag', { ms: 500 })).status).toBe(200);
    const settings = (await (await control('POST', '/token-lifetime', { seconds: 300 })).json()) as GenesysSimSettings;
    expect(settings).toMatchObject({ propagationLagMs: 500, tokenLifetimeSec: 300 });
    const res = await grant();
    const body = (await res.json()) as GenesysTokenResponse;
    expect(body.expires_in).toBe(299);
    expect((await api('/api/v2/tokens/me', body.access_token)).status).toBe(401);
    now += 500;
    expect((await api('/api/v2/tokens/me', body.access_token)).status).toBe(200);
    now += 300_000;
    expect((await api('/api/v2/tokens/me', body.access_token)).status).toBe(401);
  });

  it('POST /token-endpoint injects a fault for a duration', async () => {
    await control('POST', '/token-endpoint', { mode: 'down', forMs: 1000 });
    expect((await grant()).status).toBe(503);
    const settings = (await (await control('GET', '/settings')).json()) as GenesysSimSettings;
    expect(settings.tokenEndpointFault).toEqual({ mode: 'down', forMs: 1000, remainingMs: 1000 });
    now += 1000;
    expect((await grant()).status).toBe(200);
  });

  it('POST /clients/{id}/secret rotates the secret', async () => {
    expect((await control('POST', `/clients/${DEMO_CLIENT_ID}/secret`, { secret: 'new-one' })).status).toBe(200);
    expect((await grant()).status).toBe(400);
    expect((await grant('new-one')).status).toBe(200);
    expect((await control('POST', '/clients/ghost/secret', { secret: 'x' })).status).toBe(404);
  });

  it('POST /tokens/revoke revokes live tokens', async () => {
    const t = await token();
    expect(await (await control('POST', '/tokens/revoke', {})).json()).toEqual({ revoked: 1 });
    expect((await api('/api/v2/tokens/me', t)).status).toBe(401);
  });

  it('POST /api and /rate-limit inject a storm, an outage and a lower limit', async () => {
    const t = await token();
    await control('POST', '/api', { mode: 'rate_limited', retryAfterSec: 9 });
    const storm = await api('/api/v2/tokens/me', t);
    expect(storm.status).toBe(429);
    expect(storm.headers.get('retry-after')).toBe('9');
    await control('POST', '/api', { mode: 'down', forMs: 2000 });
    expect((await api('/api/v2/tokens/me', t)).status).toBe(503);
    now += 2000;
    await control('POST', '/rate-limit', { perMinute: 1 });
    expect((await api('/api/v2/tokens/me', t)).status).toBe(200);
    expect((await api('/api/v2/tokens/me', t)).status).toBe(429);
  });

  it('GET /stats counts expired-token calls; POST /stats/reset and POST /reset clear', async () => {
    await control('POST', '/token-lifetime', { seconds: 60 });
    const t = await token();
    now += 60_000;
    await api(`${TRUNKS}`, t);
    await api(`${TRUNKS}`, t);
    const stats = (await (await control('GET', '/stats')).json()) as GenesysSimStats;
    expect(stats).toMatchObject({ tokensIssued: 1, apiCalls: 2, callsWithExpiredToken: 2, apiSuccesses: 0 });
    expect(((await (await control('POST', '/stats/reset')).json()) as GenesysSimStats).apiCalls).toBe(0);
    await control('POST', '/api', { mode: 'down' });
    const reset = (await (await control('POST', '/reset')).json()) as GenesysSimSettings;
    expect(reset).toMatchObject({ apiFault: null, tokenLifetimeSec: 86400 });
  });

  it('answers 400 to malformed JSON and bad values, 404 to unknown routes and trunks, never crashes', async () => {
    expect((await control('POST', '/propagation-lag', '{nope')).status).toBe(400);
    const bad = await control('POST', '/propagation-lag', { ms: -5 });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'invalid_request' } });
    expect((await control('POST', '/api', { mode: 'melt' })).status).toBe(400);
    expect((await control('POST', '/trunks', { id: 'x' })).status).toBe(400);
    expect((await control('POST', '/trunks/nope/state', { state: 'dropped' })).status).toBe(404);
    expect((await control('POST', '/trunks/nope/registers-enabled', { enabled: 'yes' })).status).toBe(404);
    expect((await control('GET', '/nothing')).status).toBe(404);
    expect((await control('GET', '/settings')).status).toBe(200);
  });
});
