import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';

type KeyLike = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type TrunkgateApp } from '../../src/app/create-app.js';
import { basicHeader, memoryLogger, testConfig, TEST_API_KEY, TEST_USER } from '../support/test-config.js';

describe('caller authentication on /v1', () => {
  let app: TrunkgateApp;
  let jwksServer: http.Server;
  let jwksUrl: string;
  let jwksHits = 0;
  let privateKey: KeyLike;
  let otherKey: KeyLike;
  const log = memoryLogger();

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256', { extractable: true });
    privateKey = pair.privateKey;
    otherKey = (await generateKeyPair('RS256')).privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    jwksServer = http.createServer((_req, res) => {
      jwksHits += 1;
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((r) => jwksServer.listen(0, '127.0.0.1', r));
    jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks.json`;
    app = await createApp(
      testConfig({ GATEWAY_JWKS_URL: jwksUrl, GATEWAY_JWT_ISSUER: 'https://idp.test/', GATEWAY_JWT_AUDIENCE: 'trunkgate' }),
      { logger: log.logger, processMetrics: false },
    );
  });
  afterAll(async () => {
    await app.close();
    await new Promise((r) => jwksServer.close(r));
  });

  const sign = (
    claims: { aud?: string; iss?: string; exp?: string | number; sub?: string | null; payload?: Record<string, unknown> },
    key = privateKey,
  ) => {
    const jwt = new SignJWT(claims.payload ?? { scope: 'openid actions:run' }).setProtectedHeader({ alg: 'RS256', kid: 'k1' });
    if (claims.sub !== null) jwt.setSubject(claims.sub ?? 'servicenow-flow');
    return jwt
      .setIssuer(claims.iss ?? 'https://idp.test/')
      .setAudience(claims.aud ?? 'trunkgate')
      .setIssuedAt()
      .setExpirationTime(claims.exp ?? '5m')
      .sign(key);
  };

  const get = (headers: Record<string, string>) => request(app.express).get('/v1/actions').set(headers);

  it('refuses a request without credentials with 401 and a WWW-Authenticate challenge', async () => {
    const res = await get({});
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthorized');
    expect(res.headers['www-authenticate']).toBe('Basic realm="trunkgate", charset="UTF-8", Bearer realm="trunkgate"');
  });

  it('accepts configured Basic credentials and refuses wrong ones', async () => {
    expect((await get({ Authorization: basicHeader(TEST_USER.user, TEST_USER.password) })).status).toBe(200);
    expect((await get({ Authorization: basicHeader(TEST_USER.user, 'wrong') })).status).toBe(401);
    expect((await get({ Authorization: basicHeader('other', TEST_USER.password) })).status).toBe(401);
    expect((await get({ Authorization: 'Basic !!!notbase64' })).status).toBe(401);
  });

  it('accepts an API key as Bearer or X-API-Key and refuses others', async () => {
    expect((await get({ Authorization: `Bearer ${TEST_API_KEY}` })).status).toBe(200);
    expect((await get({ 'X-API-Key': TEST_API_KEY })).status).toBe(200);
    expect((await get({ 'X-API-Key': `${TEST_API_KEY}x` })).status).toBe(401);
    const res = await get({ Authorization: 'Bearer not-a-key' });
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toContain('error="invalid_token"');
  });

  it('accepts a JWT signed by a key in the JWKS, with the right issuer and audience', async () => {
    const res = await get({ Authorization: `Bearer ${await sign({})}` });
    expect(res.status).toBe(200);
    expect(jwksHits).toBeGreaterThanOrEqual(1);
  });

  it('caches the key set instead of fetching it per request', async () => {
    const before = jwksHits;
    for (let i = 0; i < 5; i += 1) expect((await get({ Authorization: `Bearer ${await sign({})}` })).status).toBe(200);
    expect(jwksHits).toBe(before);
  });

  it.each([
    ['an expired token', { exp: Math.floor(Date.now() / 1000) - 3600 }, 'expired'],
    ['a wrong audience', { aud: 'someone-else' }, '"aud"'],
    ['a wrong issuer', { iss: 'https://evil.test/' }, '"iss"'],
  ])('refuses %s', async (_label, claims, reason) => {
    const res = await get({ Authorization: `Bearer ${await sign(claims)}` });
    expect(res.status).toBe(401);
    expect(res.body.error.message).toContain(reason);
    expect(res.headers['www-authenticate']).toContain('error="invalid_token"');
  });

  describe('permissions from the JWT (GATEWAY_JWT_PERMISSIONS_CLAIM, default scope)', () => {
    it('reads a space-separated scope, ignoring entries that are not trunkgate permissions', async () => {
      const token = await sign({ payload: { scope: 'openid profile actions:run:get-trunk status:read' } });
      const actions = await get({ Authorization: `Bearer ${token}` });
      expect(actions.status).toBe(200);
      expect(actions.body.actions.map((a: { name: string }) => a.name)).toEqual(['get-trunk']);
      expect((await request(app.express).get('/v1/trunks').set('Authorization', `Bearer ${token}`)).status).toBe(200);
    });

    it('refuses with 403 naming the missing permission and the token subject', async () => {
      const token = await sign({ payload: { scope: 'actions:run:get-trunk' } });
      const res = await request(app.express).get('/v1/incidents').set('Authorization', `Bearer ${token}`);
      expect(res.status).toBe(403);
      expect(res.body.error).toMatchObject({
        code: 'forbidden',
        message: 'The caller "servicenow-flow" lacks the permission status:read',
        details: [{ permission: 'status:read' }],
      });
      const none = await sign({ payload: {} });
      expect((await get({ Authorization: `Bearer ${none}` })).body.error.message).toBe(
        'The caller "servicenow-flow" lacks the permission actions:run',
      );
    });

    it('names a token without sub by its client_id, logs that name and counts every JWT caller as "jwt"', async () => {
      const token = await sign({ sub: null, payload: { client_id: 'sn-oauth-client', scope: 'status:read' } });
      await request(app.express).get('/v1/trunks').set('Authorization', `Bearer ${token}`).set('X-Request-Id', 'jwt-name-1');
      expect(log.lines().find((l) => l.requestId === 'jwt-name-1' && l.message === 'request')).toMatchObject({
        caller: 'sn-oauth-client',
        status: 200,
      });
      const metrics = (await request(app.express).get('/metrics')).text;
      expect(metrics).toMatch(/trunkgate_caller_requests_total\{caller="jwt",code="ok"\} [1-9]/);
      expect(metrics).not.toContain('sn-oauth-client');
    });
  });

  it('refuses a JWT signed by a key that is not in the JWKS', async () => {
    const res = await get({ Authorization: `Bearer ${await sign({}, otherKey)}` });
    expect(res.status).toBe(401);
  });

  it('leaves health, readiness, metrics and the OpenAPI document open', async () => {
    for (const path of ['/healthz', '/readyz', '/metrics', '/openapi.json']) {
      // /readyz answers 503 here (no upstream behind this app) — but never 401.
      expect([200, 503], path).toContain((await request(app.express).get(path)).status);
    }
  });

  // A caller that gets the header wrong still sent its secret: none of it may come back or reach the log.
  it.each([
    ['a key with no scheme', TEST_API_KEY, [TEST_API_KEY]],
    ['a wrong key with no scheme', 'wrong-key-0123456789abcdef', ['wrong-key-0123456789abcdef']],
    ['a token68 with padding', 'c2VjcmV0LXRva2VuNjgtdmFsdWU=', ['c2VjcmV0LXRva2VuNjgtdmFsdWU']],
    ['a key after odd spacing', `   ${TEST_API_KEY}`, [TEST_API_KEY]],
    ['a key after a tab', `Bearer\tx${TEST_API_KEY}`, [`x${TEST_API_KEY}`]],
    ['a lower-case unknown scheme', `token ${TEST_API_KEY}`, [TEST_API_KEY]],
    ['a key followed by words', `${TEST_API_KEY} and more`, [TEST_API_KEY]],
    [
      'Digest parameters',
      'Digest username="flow", nonce="n0nce-value", response="6629fae49393a05397450978507c4ef1"',
      ['n0nce-value', '6629fae49393a05397450978507c4ef1'],
    ],
  ])('answers 401 to %s without quoting the header back or logging it', async (_label, value, secrets) => {
    const res = await get({ Authorization: value });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthorized');
    // Compared in lower case: a scheme is case-insensitive, and a lower-cased echo is still the secret.
    const answered = `${JSON.stringify(res.headers)}${res.text}`.toLowerCase();
    for (const secret of secrets) {
      expect(answered).not.toContain(secret.toLowerCase());
      expect(log.text().toLowerCase()).not.toContain(secret.toLowerCase());
    }
  });

  it('says how to send a key that came without a scheme', async () => {
    const res = await get({ Authorization: TEST_API_KEY });
    expect(res.body.error.message).toBe(
      'The Authorization header must be "<scheme> <credentials>" (Basic or Bearer); an API key goes as "Bearer <key>" or in X-API-Key',
    );
    expect((await get({ Authorization: 'Negotiate abc' })).body.error.message).toBe(
      "The Authorization header's scheme is not accepted: use Basic or Bearer",
    );
  });

  it('never logs the credentials it was given', async () => {
    await get({ Authorization: basicHeader(TEST_USER.user, TEST_USER.password) });
    const text = log.text();
    expect(text).not.toContain(TEST_USER.password);
    expect(text).not.toContain(Buffer.from(`${TEST_USER.user}:${TEST_USER.password}`).toString('base64'));
    expect(text).not.toContain(TEST_API_KEY);
  });
});

describe('JWKS unreachable', () => {
  it('answers upstream_unavailable rather than blaming the caller', async () => {
    const app = await createApp(testConfig({ GATEWAY_JWKS_URL: 'http://127.0.0.1:9/jwks.json' }), {
      logger: memoryLogger().logger,
      processMetrics: false,
    });
    const { privateKey } = await generateKeyPair('RS256');
    const token = await new SignJWT({}).setProtectedHeader({ alg: 'RS256', kid: 'x' }).setExpirationTime('5m').sign(privateKey);
    const res = await request(app.express).get('/v1/actions').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('upstream_unavailable');
  });
});

describe('a JWT permissions claim that is an array', () => {
  it('reads GATEWAY_JWT_PERMISSIONS_CLAIM as an array of strings and ignores the scope claim', async () => {
    const pair = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'a1', alg: 'RS256' };
    const server = http.createServer((_req, res) => res.end(JSON.stringify({ keys: [jwk] })));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const app = await createApp(
      testConfig({
        GATEWAY_JWKS_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`,
        GATEWAY_JWT_PERMISSIONS_CLAIM: 'permissions',
      }),
      {
        logger: memoryLogger().logger,
        processMetrics: false,
        monitor: null,
      },
    );
    try {
      const token = (claims: Record<string, unknown>) =>
        new SignJWT(claims)
          .setProtectedHeader({ alg: 'RS256', kid: 'a1' })
          .setSubject('auth0-client')
          .setExpirationTime('5m')
          .sign(pair.privateKey);
      const allowed = await token({ permissions: ['status:read', 42, 'read:other-api'] });
      expect((await request(app.express).get('/v1/trunks').set('Authorization', `Bearer ${allowed}`)).status).toBe(200);
      const scopeOnly = await token({ scope: 'status:read' });
      const refused = await request(app.express).get('/v1/trunks').set('Authorization', `Bearer ${scopeOnly}`);
      expect(refused.status).toBe(403);
      expect(refused.body.error.details[0].permission).toBe('status:read');
    } finally {
      await app.close();
      await new Promise((r) => server.close(r));
    }
  });
});
