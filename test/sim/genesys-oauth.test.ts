import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  startGenesysSim,
  type GenesysOAuthError,
  type GenesysSim,
  type GenesysTokenResponse,
} from '../../src/sim/genesys/index.js';

const START = Date.parse('2025-03-01T09:00:00.000Z');

function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
}

describe('Genesys simulator: POST /oauth/token', () => {
  let now = START;
  let sim: GenesysSim;

  const grant = (init: { auth?: string; contentType?: string; body?: string } = {}) =>
    fetch(`${sim.url}/oauth/token`, {
      method: 'POST',
      headers: {
        ...(init.auth === '' ? {} : { Authorization: init.auth ?? basic(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET) }),
        'Content-Type': init.contentType ?? 'application/x-www-form-urlencoded',
      },
      body: init.body ?? 'grant_type=client_credentials',
    });
  const token = async () => ((await (await grant()).json()) as GenesysTokenResponse).access_token;
  const tokensMe = (t: string) => fetch(`${sim.url}/api/v2/tokens/me`, { headers: { Authorization: `Bearer ${t}` } });

  beforeEach(async () => {
    now = START;
    sim = await startGenesysSim({ clock: () => now });
  });
  afterEach(() => sim.close());

  it('issues an opaque bearer token with expires_in, a Date and an ININ-Correlation-Id header', async () => {
    const res = await grant();
    expect(res.status).toBe(200);
    expect(res.headers.get('date')).toBeTruthy();
    expect(res.headers.get('inin-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
    const body = (await res.json()) as GenesysTokenResponse;
    expect(Object.keys(body).sort()).toEqual(['access_token', 'expires_in', 'token_type']);
    expect(body.token_type).toBe('bearer');
    // The real service says 86399 for a 86400 s client (GForceIndustries/GCCX-Utils).
    expect(body.expires_in).toBe(86399);
    expect(body.access_token.split('.')).toHaveLength(1); // not a JWT
    expect(body.access_token.length).toBeGreaterThanOrEqual(60);
  });

  it('mints a new token per grant and keeps the older ones valid', async () => {
    const first = await token();
    const second = await token();
    expect(second).not.toBe(first);
    expect((await tokensMe(first)).status).toBe(200);
    expect((await tokensMe(second)).status).toBe(200);
    expect(sim.stats()).toMatchObject({ tokenRequests: 2, tokensIssued: 2, tokenFailures: 0 });
  });

  it('answers 400 invalid_client "authentication failed" to a wrong secret, "client not found" to an unknown id', async () => {
    const wrongSecret = await grant({ auth: basic(DEMO_CLIENT_ID, 'nope') });
    expect(wrongSecret.status).toBe(400);
    expect(await wrongSecret.json()).toEqual<GenesysOAuthError>({
      error: 'invalid_client',
      description: 'authentication failed',
      error_description: 'authentication failed',
    });
    const unknown = await grant({ auth: basic('who', DEMO_CLIENT_SECRET) });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ error: 'invalid_client', description: 'client not found' });
    expect(sim.stats()).toMatchObject({ tokenRequests: 2, tokensIssued: 0, tokenFailures: 2 });
  });

  it('refuses a missing Basic header, a wrong content type and a wrong grant type', async () => {
    const noAuth = await grant({ auth: '' });
    expect(noAuth.status).toBe(400);
    expect(((await noAuth.json()) as GenesysOAuthError).error).toBe('invalid_client');

    const json = await grant({ contentType: 'application/json', body: '{"grant_type":"client_credentials"}' });
    expect(json.status).toBe(400);
    expect(((await json.json()) as GenesysOAuthError).error).toBe('invalid_request');

    const password = await grant({ body: 'grant_type=password&username=a&password=b' });
    expect(password.status).toBe(400);
    expect(((await password.json()) as GenesysOAuthError).error).toBe('unsupported_grant_type');

    const none = await grant({ body: 'scope=x' });
    expect(none.status).toBe(400);
    expect(((await none.json()) as GenesysOAuthError).error).toBe('invalid_request');
    expect(sim.stats().tokensIssued).toBe(0);
  });

  it('accepts a charset on the content type', async () => {
    expect((await grant({ contentType: 'application/x-www-form-urlencoded; charset=utf-8' })).status).toBe(200);
  });

  it('refuses an over-size body with 413 without crashing', async () => {
    const res = await grant({ body: `grant_type=client_credentials&pad=${'x'.repeat(600_000)}` });
    expect(res.status).toBe(413);
    expect(((await res.json()) as GenesysOAuthError).error).toBe('invalid_request');
    expect((await grant()).status).toBe(200);
  });

  it('expires a token exactly at its lifetime on the injected clock, and counts calls with it', async () => {
    sim.control.setTokenLifetime(300);
    const res = await grant();
    expect(((await res.json()) as GenesysTokenResponse).expires_in).toBe(299);
    const t = (await (await grant()).json()) as GenesysTokenResponse;
    now += 299_999;
    expect((await tokensMe(t.access_token)).status).toBe(200);
    now += 1;
    const expired = await tokensMe(t.access_token);
    expect(expired.status).toBe(401);
    expect(await expired.json()).toMatchObject({ code: 'bad.credentials', status: 401 });
    expect(sim.stats().callsWithExpiredToken).toBe(1);
  });

  it('keeps the lifetime of tokens already issued when the lifetime changes', async () => {
    const long = await token();
    sim.control.setTokenLifetime(60);
    const short = await token();
    now += 61_000;
    expect((await tokensMe(short)).status).toBe(401);
    expect((await tokensMe(long)).status).toBe(200);
  });

  it('refuses a new token for the propagation lag, then accepts it', async () => {
    sim.control.setPropagationLag(500);
    const t = await token();
    const early = await tokensMe(t);
    expect(early.status).toBe(401);
    expect(await early.json()).toMatchObject({ code: 'bad.credentials' });
    now += 499;
    expect((await tokensMe(t)).status).toBe(401);
    now += 1;
    expect((await tokensMe(t)).status).toBe(200);
    expect(sim.stats().callsWithUnpropagatedToken).toBe(2);
  });

  it('rotating a secret rejects the old one as invalid_client and keeps issued tokens valid', async () => {
    const before = await token();
    sim.control.rotateClientSecret(DEMO_CLIENT_ID, 'rotated-secret');
    const old = await grant();
    expect(old.status).toBe(400);
    expect(((await old.json()) as GenesysOAuthError).error).toBe('invalid_client');
    expect((await grant({ auth: basic(DEMO_CLIENT_ID, 'rotated-secret') })).status).toBe(200);
    expect((await tokensMe(before)).status).toBe(200);
  });

  describe('injected faults', () => {
    it('down → 503, error → 500, then ok again', async () => {
      sim.control.setTokenEndpointFault({ mode: 'down' });
      expect((await grant()).status).toBe(503);
      sim.control.setTokenEndpointFault({ mode: 'error' });
      expect((await grant()).status).toBe(500);
      sim.control.setTokenEndpointFault({ mode: 'ok' });
      expect((await grant()).status).toBe(200);
      expect(sim.stats()).toMatchObject({ tokenRequests: 3, tokenFailures: 2, tokensIssued: 1 });
    });

    it('rate_limited → 429 with Retry-After counting down the fault, healed when forMs passes', async () => {
      sim.control.setTokenEndpointFault({ mode: 'rate_limited', forMs: 10_000 });
      const limited = await grant();
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toBe('10');
      now += 4_000;
      expect((await grant()).headers.get('retry-after')).toBe('6');
      now += 6_000;
      expect((await grant()).status).toBe(200);
    });

    it('rate_limited honours an explicit retryAfterSec', async () => {
      sim.control.setTokenEndpointFault({ mode: 'rate_limited', retryAfterSec: 42 });
      expect((await grant()).headers.get('retry-after')).toBe('42');
    });

    it('reject → invalid_client like a rotated secret (400, or the status asked for)', async () => {
      sim.control.setTokenEndpointFault({ mode: 'reject' });
      const res = await grant();
      expect(res.status).toBe(400);
      expect(((await res.json()) as GenesysOAuthError).error).toBe('invalid_client');
      sim.control.setTokenEndpointFault({ mode: 'reject', status: 401 });
      expect((await grant()).status).toBe(401);
    });

    it('slow → answers normally after the delay', async () => {
      sim.control.setTokenEndpointFault({ mode: 'slow', delayMs: 150 });
      const started = performance.now();
      const res = await grant();
      expect(res.status).toBe(200);
      expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    });

    it('a fault with forMs restores ok by itself on the injected clock', async () => {
      sim.control.setTokenEndpointFault({ mode: 'down', forMs: 5_000 });
      expect((await grant()).status).toBe(503);
      now += 5_000;
      expect((await grant()).status).toBe(200);
      expect(sim.control.settings().tokenEndpointFault).toBeNull();
    });

    it('rejects a malformed fault', () => {
      expect(() => sim.control.setTokenEndpointFault({ mode: 'melt' as never })).toThrow(/mode must be one of/);
      expect(() => sim.control.setTokenEndpointFault({ mode: 'down', forMs: -1 })).toThrow(/forMs/);
    });
  });
});
