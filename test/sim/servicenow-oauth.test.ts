import { afterEach, describe, expect, it } from 'vitest';
import { startServiceNowSim } from '../../src/sim/servicenow/index.js';
import type { ServiceNowSim, ServiceNowSimOptions } from '../../src/sim/servicenow/index.js';

const START = Date.UTC(2025, 0, 15, 12, 0, 0);
const USER = { username: 'trunkgate.integration', password: 'sandbox-sn-password' };
const CLIENT = { client_id: 'sandbox-sn-client', client_secret: 'sandbox-sn-secret' };

let sim: ServiceNowSim | undefined;
let now = START;

async function start(options: ServiceNowSimOptions = {}): Promise<ServiceNowSim> {
  now = START;
  sim = await startServiceNowSim({ clock: () => now, ...options });
  return sim;
}

afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function token(s: ServiceNowSim, form: Record<string, string>, contentType = 'application/x-www-form-urlencoded') {
  const body = contentType.includes('json') ? JSON.stringify(form) : new URLSearchParams(form).toString();
  const res = await fetch(`${s.url}/oauth_token.do`, { method: 'POST', headers: { 'Content-Type': contentType }, body });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function getIncidents(s: ServiceNowSim, accessToken: string) {
  return fetch(`${s.url}/api/now/table/incident?sysparm_limit=1`, { headers: { Authorization: `Bearer ${accessToken}` } });
}

const ACCESS_DENIED = { error_description: 'access_denied', error: 'server_error' };

describe('POST /oauth_token.do', () => {
  it('grants a password token with refresh token, scope, Bearer type and expires_in 1799', async () => {
    const s = await start();
    const res = await token(s, { grant_type: 'password', ...CLIENT, ...USER });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ scope: 'useraccount', token_type: 'Bearer', expires_in: 1799 });
    expect(res.body.access_token).toMatch(/^[A-Za-z0-9_-]{86}$/);
    expect(typeof res.body.refresh_token).toBe('string');
    expect((await getIncidents(s, res.body.access_token as string)).status).toBe(200);
  });

  it('returns the same access token within its lifetime, with the remaining expires_in', async () => {
    const s = await start();
    const first = await token(s, { grant_type: 'password', ...CLIENT, ...USER });
    now += 600_000;
    const second = await token(s, { grant_type: 'password', ...CLIENT, ...USER });
    expect(second.body.access_token).toBe(first.body.access_token);
    expect(second.body.expires_in).toBe(1199);
    expect(s.stats()).toMatchObject({ tokenRequests: 2, tokensIssued: 1 });
  });

  it('mints a new token once the old one expired, and the old one is then refused with 401', async () => {
    const s = await start();
    const first = await token(s, { grant_type: 'password', ...CLIENT, ...USER });
    now += 1_800_000;
    const second = await token(s, { grant_type: 'password', ...CLIENT, ...USER });
    expect(second.body.access_token).not.toBe(first.body.access_token);
    expect(second.body.expires_in).toBe(1799);
    const expired = await getIncidents(s, first.body.access_token as string);
    expect(expired.status).toBe(401);
    expect(await expired.json()).toEqual({
      error: { message: 'User Not Authenticated', detail: 'Required to provide Auth information' },
      status: 'failure',
    });
    expect((await getIncidents(s, second.body.access_token as string)).status).toBe(200);
    expect(s.stats().tokensIssued).toBe(2);
  });

  it('grants client_credentials to a client configured with a user, without a refresh token', async () => {
    const s = await start();
    const res = await token(s, { grant_type: 'client_credentials', ...CLIENT });
    expect(res.status).toBe(200);
    expect(res.body.refresh_token).toBeUndefined();
    expect(res.body).toMatchObject({ token_type: 'Bearer', expires_in: 1799 });
    const created = await fetch(`${s.url}/api/now/table/incident`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${res.body.access_token as string}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ short_description: 'x' }),
    });
    expect(created.status).toBe(201);
    expect(s.incidents()[0]!.fields.sys_created_by).toBe('trunkgate.integration');
  });

  it('refuses client_credentials for a client without a configured user (the instance default)', async () => {
    const s = await start({ oauthClients: [{ clientId: 'c', clientSecret: 's' }] });
    const res = await token(s, { grant_type: 'client_credentials', client_id: 'c', client_secret: 's' });
    expect(res).toEqual({ status: 401, body: ACCESS_DENIED });
  });

  it.each([
    ['a wrong password', { grant_type: 'password', ...CLIENT, username: USER.username, password: 'nope' }],
    ['an unknown user', { grant_type: 'password', ...CLIENT, username: 'ghost', password: 'x' }],
    ['a wrong client secret', { grant_type: 'password', client_id: CLIENT.client_id, client_secret: 'bad', ...USER }],
    ['an unknown client', { grant_type: 'client_credentials', client_id: 'other', client_secret: 'x' }],
    ['an unknown grant type', { grant_type: 'authorization_code', ...CLIENT }],
    ['a bad refresh token', { grant_type: 'refresh_token', ...CLIENT, refresh_token: 'nope' }],
  ])('answers 401 access_denied for %s', async (_name, form) => {
    const s = await start();
    expect(await token(s, form)).toEqual({ status: 401, body: ACCESS_DENIED });
    expect(s.stats().tokenFailures).toBe(1);
  });

  it('only reads form-encoded bodies: a JSON body is refused like bad credentials', async () => {
    const s = await start();
    const res = await token(s, { grant_type: 'password', ...CLIENT, ...USER }, 'application/json');
    expect(res).toEqual({ status: 401, body: ACCESS_DENIED });
  });

  it('redeems a refresh token for the live access token, and for a new one after expiry', async () => {
    const s = await start();
    const first = await token(s, { grant_type: 'password', ...CLIENT, ...USER });
    const refresh = { grant_type: 'refresh_token', ...CLIENT, refresh_token: first.body.refresh_token as string };
    const again = await token(s, refresh);
    expect(again.body.access_token).toBe(first.body.access_token);
    now += 1_900_000;
    const renewed = await token(s, refresh);
    expect(renewed.status).toBe(200);
    expect(renewed.body.access_token).not.toBe(first.body.access_token);
    expect((await getIncidents(s, renewed.body.access_token as string)).status).toBe(200);
  });

  it("with tokenFormat 'jwt' issues header.payload.signature tokens carrying sub, iat and exp", async () => {
    const s = await start({ tokenFormat: 'jwt', tokenLifetimeSec: 600 });
    const res = await token(s, { grant_type: 'password', ...CLIENT, ...USER });
    const parts = (res.body.access_token as string).split('.');
    expect(parts).toHaveLength(3);
    const header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8')) as Record<string, unknown>;
    const payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
    expect(header).toMatchObject({ alg: 'HS256', typ: 'JWT' });
    expect(payload).toMatchObject({ sub: USER.username, aud: CLIENT.client_id, iat: START / 1000, exp: START / 1000 + 600 });
    expect((await getIncidents(s, res.body.access_token as string)).status).toBe(200);
  });

  it('answers with the Date header of the simulator clock', async () => {
    const s = await start();
    const res = await fetch(`${s.url}/oauth_token.do`, { method: 'POST' });
    expect(res.headers.get('date')).toBe(new Date(START).toUTCString());
  });
});
