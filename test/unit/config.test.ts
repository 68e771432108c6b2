import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import { redact, REDACTED } from '../../src/log/redact.js';
import { testEnv } from '../support/test-config.js';

function problemsOf(env: NodeJS.ProcessEnv, options = { requireCallerAuth: true }): string[] {
  try {
    loadConfig(env, options);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const c = loadConfig(testEnv({ DATA_DIR: undefined }), { requireCallerAuth: true });
    expect(c.port).toBe(8080);
    expect(c.host).toBe('0.0.0.0');
    expect(c.logLevel).toBe('info');
    expect(c.dataDir.endsWith('/data')).toBe(true);
    expect(c.maxPayloadBytes).toBe(10240);
    expect(c.genesys.tokenRefreshBufferMs).toBe(15000);
    expect(c.servicenow.tokenRefreshBufferMs).toBe(15000);
    expect(c.monitor).toEqual({ pollIntervalMs: 30000, notifications: true });
    expect(c.incidents).toEqual({
      openAfterMs: 30000,
      resolveAfterMs: 300000,
      reopenWindowMs: 3600000,
      noteIntervalMs: 300000,
      groupBy: 'trunkBase',
    });
    expect(c.alertAfterMs).toBe(120000);
    expect(c.actionTimeoutMs).toBe(10000);
    expect(c.databaseUrl).toBeUndefined();
    expect(c.databaseSchema).toBe('public');
    expect(c.databasePoolSize).toBe(10);
    expect(c.redisUrl).toBeUndefined();
  });

  it('reads the PostgreSQL settings and refuses a schema name that would need quoting', () => {
    const c = loadConfig(
      testEnv({ DATABASE_URL: 'postgres://trunkgate:pw@db:5432/tg', DATABASE_SCHEMA: 'trunkgate_prod', DATABASE_POOL_SIZE: '4' }),
    );
    expect(c).toMatchObject({ databaseUrl: 'postgres://trunkgate:pw@db:5432/tg', databaseSchema: 'trunkgate_prod', databasePoolSize: 4 });
    const problems = problemsOf(testEnv({ DATABASE_SCHEMA: 'Prod; DROP', DATABASE_POOL_SIZE: '0' })).join('\n');
    expect(problems).toContain('DATABASE_SCHEMA must be a lower-case identifier');
    expect(problems).toContain('DATABASE_POOL_SIZE');
  });

  it('lists every problem at once', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      MAX_PAYLOAD_BYTES: '-5',
      GENESYS_REGION: 'mars.cloud',
      MONITOR_NOTIFICATIONS: 'maybe',
      LOG_LEVEL: 'loud',
    });
    const text = problems.join('\n');
    for (const name of [
      'PORT',
      'MAX_PAYLOAD_BYTES',
      'GENESYS_REGION',
      'MONITOR_NOTIFICATIONS',
      'LOG_LEVEL',
      'GENESYS_CLIENT_ID',
      'GENESYS_CLIENT_SECRET',
      'SERVICENOW_INSTANCE_URL',
      'no caller authentication',
    ]) {
      expect(text).toContain(name);
    }
    expect(problems.length).toBeGreaterThanOrEqual(9);
  });

  it('reads the incident note interval and the alert delay, refusing non-numbers', () => {
    const c = loadConfig(testEnv({ INCIDENT_NOTE_INTERVAL_MS: '60000', ALERT_AFTER_MS: '30000' }));
    expect(c.incidents.noteIntervalMs).toBe(60000);
    expect(c.alertAfterMs).toBe(30000);
    const text = problemsOf(testEnv({ INCIDENT_NOTE_INTERVAL_MS: 'often', ALERT_AFTER_MS: '-1', INCIDENT_GROUP_BY: 'edge' })).join('\n');
    expect(text).toContain('INCIDENT_NOTE_INTERVAL_MS');
    expect(text).toContain('INCIDENT_GROUP_BY must be one of trunkBase, trunk (got "edge")');
    expect(loadConfig(testEnv({ INCIDENT_GROUP_BY: 'TRUNK' })).incidents.groupBy).toBe('trunk');
    expect(text).toContain('ALERT_AFTER_MS');
  });

  it('derives login and API URLs from the region, and explicit URLs override it', () => {
    const env = testEnv({ GENESYS_LOGIN_URL: undefined, GENESYS_API_URL: undefined, GENESYS_REGION: 'mypurecloud.ie' });
    const c = loadConfig(env);
    expect(c.genesys.loginUrl).toBe('https://login.mypurecloud.ie');
    expect(c.genesys.apiUrl).toBe('https://api.mypurecloud.ie');
    const o = loadConfig({ ...env, GENESYS_API_URL: 'http://127.0.0.1:4000/' });
    expect(o.genesys.apiUrl).toBe('http://127.0.0.1:4000');
    expect(o.genesys.loginUrl).toBe('https://login.mypurecloud.ie');
  });

  it('reads secrets from NAME_FILE and refuses both forms at once', () => {
    const files: Record<string, string> = { '/run/secrets/genesys': 'from-file-secret\n' };
    const readFile = (p: string) => {
      if (!(p in files)) throw Object.assign(new Error('nope'), { code: 'ENOENT' });
      return files[p]!;
    };
    const env = testEnv({ GENESYS_CLIENT_SECRET: undefined, GENESYS_CLIENT_SECRET_FILE: '/run/secrets/genesys' });
    expect(loadConfig(env, { readFile }).genesys.clientSecret).toBe('from-file-secret');
    expect(problemsOf({ ...env, GENESYS_CLIENT_SECRET: 'x' }, { requireCallerAuth: false }).join()).toContain('both set');
    const missing = problemsOf({ ...env, GENESYS_CLIENT_SECRET_FILE: '/run/secrets/none' }, { requireCallerAuth: false });
    expect(missing.join()).toContain('cannot read /run/secrets/none (ENOENT)');
  });

  it('applies per-upstream refresh buffers over the shared one', () => {
    const c = loadConfig(testEnv({ TOKEN_REFRESH_BUFFER_MS: '20000', SERVICENOW_TOKEN_REFRESH_BUFFER_MS: '60000' }));
    expect(c.genesys.tokenRefreshBufferMs).toBe(20000);
    expect(c.servicenow.tokenRefreshBufferMs).toBe(60000);
  });

  it('chooses the ServiceNow auth kind from what is set', () => {
    const base = testEnv({ SERVICENOW_USERNAME: undefined, SERVICENOW_PASSWORD: undefined });
    expect(loadConfig({ ...base, SERVICENOW_USERNAME: 'u', SERVICENOW_PASSWORD: 'p' }).servicenow.auth.kind).toBe('basic');
    expect(loadConfig({ ...base, SERVICENOW_CLIENT_ID: 'c', SERVICENOW_CLIENT_SECRET: 's' }).servicenow.auth.kind).toBe(
      'oauth-client-credentials',
    );
    expect(
      loadConfig({ ...base, SERVICENOW_CLIENT_ID: 'c', SERVICENOW_CLIENT_SECRET: 's', SERVICENOW_USERNAME: 'u', SERVICENOW_PASSWORD: 'p' })
        .servicenow.auth.kind,
    ).toBe('oauth-password');
    expect(problemsOf(base).join()).toContain('ServiceNow credentials are required');
    expect(problemsOf({ ...base, SERVICENOW_CLIENT_ID: 'c' }).join()).toContain('SERVICENOW_CLIENT_SECRET is required');
  });

  it('parses caller authentication settings', () => {
    const c = loadConfig(
      testEnv({
        GATEWAY_BASIC_AUTH: 'a:x,b:y:z',
        GATEWAY_API_KEYS: 'k1-0123456789abcdef, k2-0123456789abcdef',
        GATEWAY_JWKS_URL: 'https://idp.example.com/jwks',
        GATEWAY_JWT_AUDIENCE: 'trunkgate',
      }),
    );
    expect(c.gatewayAuth.basic).toEqual([
      { user: 'a', password: 'x' },
      { user: 'b', password: 'y:z' },
    ]);
    expect(c.gatewayAuth.apiKeys).toEqual(['k1-0123456789abcdef', 'k2-0123456789abcdef']);
    expect(c.gatewayAuth.jwt).toEqual({
      jwksUrl: 'https://idp.example.com/jwks',
      issuer: undefined,
      audience: 'trunkgate',
      permissionsClaim: 'scope',
    });
    expect(c.gatewayAuth.callers.map((caller) => caller.name)).toEqual(['env-key-1', 'env-key-2', 'basic:a', 'basic:b']);
    expect(problemsOf(testEnv({ GATEWAY_BASIC_AUTH: 'nocolon' })).join()).toContain('GATEWAY_BASIC_AUTH entry 1');
    expect(problemsOf(testEnv({ GATEWAY_API_KEYS: 'short' })).join()).toContain('at least 16');
    expect(problemsOf(testEnv({ GATEWAY_JWKS_URL: 'ftp://x' })).join()).toContain('GATEWAY_JWKS_URL must be');
  });

  it('never puts a secret value in a problem message', () => {
    const problems = problemsOf(testEnv({ DATABASE_URL: 'mysql://user:hunter2@db/x', GATEWAY_BASIC_AUTH: 'hunter3' }));
    expect(problems.join()).not.toMatch(/hunter/);
  });

  describe('Redis settings', () => {
    const hexKey = 'a1'.repeat(32);
    const b64Key = Buffer.alloc(32, 7).toString('base64');

    it('needs TOKEN_CACHE_KEY with REDIS_URL, and defaults the key prefix', () => {
      expect(problemsOf(testEnv({ REDIS_URL: 'redis://127.0.0.1:6379' })).join()).toContain(
        'TOKEN_CACHE_KEY (or TOKEN_CACHE_KEY_FILE) is required with REDIS_URL',
      );
      const c = loadConfig(testEnv({ REDIS_URL: 'redis://127.0.0.1:6379', TOKEN_CACHE_KEY: hexKey }));
      expect(c.redisUrl).toBe('redis://127.0.0.1:6379');
      expect(c.redisKeyPrefix).toBe('trunkgate:');
      expect(Buffer.from(c.tokenCacheSecretKey!).toString('hex')).toBe(hexKey);
      expect(
        loadConfig(testEnv({ REDIS_URL: 'redis://r:6379', TOKEN_CACHE_KEY: hexKey, REDIS_KEY_PREFIX: 'tg-blue:' })).redisKeyPrefix,
      ).toBe('tg-blue:');
    });

    it('accepts the key as hex, base64 or base64url, and from TOKEN_CACHE_KEY_FILE', () => {
      const b64url = Buffer.alloc(32, 0xfb).toString('base64url');
      expect(Buffer.from(loadConfig(testEnv({ TOKEN_CACHE_KEY: b64Key })).tokenCacheSecretKey!)).toEqual(Buffer.alloc(32, 7));
      expect(Buffer.from(loadConfig(testEnv({ TOKEN_CACHE_KEY: b64url })).tokenCacheSecretKey!)).toEqual(Buffer.alloc(32, 0xfb));
      const readFile = () => `${b64Key}\n`;
      const c = loadConfig(testEnv({ REDIS_URL: 'redis://r:6379', TOKEN_CACHE_KEY_FILE: '/run/secrets/cache-key' }), { readFile });
      expect(Buffer.from(c.tokenCacheSecretKey!)).toEqual(Buffer.alloc(32, 7));
    });

    it('keeps the key out of logs even if the whole config is logged (structural redaction)', () => {
      const c = loadConfig(testEnv({ REDIS_URL: 'redis://r:6379', TOKEN_CACHE_KEY: hexKey }));
      expect(JSON.stringify(redact(c))).not.toMatch(/"tokenCacheSecretKey":\{/);
      expect((redact(c) as Record<string, unknown>).tokenCacheSecretKey).toBe(REDACTED);
    });

    it('refuses a key that is not 32 bytes, without echoing it', () => {
      for (const bad of ['hunter2-not-a-key', 'a1'.repeat(31), Buffer.alloc(16, 1).toString('base64'), `${'a1'.repeat(32)}ff`]) {
        const problems = problemsOf(testEnv({ REDIS_URL: 'redis://r:6379', TOKEN_CACHE_KEY: bad }));
        expect(problems).toHaveLength(1);
        expect(problems[0]).toContain('TOKEN_CACHE_KEY must be 32 bytes');
        expect(problems[0]).not.toContain(bad);
      }
    });
  });

  it('refuses a permission in GENESYS_REQUIRED_SCOPES, naming it and saying where permissions come from', () => {
    expect(loadConfig(testEnv({ GENESYS_REQUIRED_SCOPES: 'telephony:readonly, notifications' })).genesys.requiredScopes).toEqual([
      'telephony:readonly',
      'notifications',
    ]);
    let err: unknown;
    try {
      loadConfig(testEnv({ GENESYS_REQUIRED_SCOPES: 'notifications,telephony:plugin:all' }));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems;
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /^GENESYS_REQUIRED_SCOPES: "telephony:plugin:all" is a Genesys permission \(domain:entity:action\), not an OAuth scope\. Permissions come from the OAuth client's roles .*checks them by calling the API/,
    );
  });

  it('reads the upstream pacing settings: Genesys 300/min by default, no ServiceNow budget unless set', () => {
    const defaults = loadConfig(testEnv(), { requireCallerAuth: true });
    expect(defaults.genesys.rateLimitPerMinute).toBe(300);
    expect(defaults.servicenow.rateLimitPerHour).toBeUndefined();
    const set = loadConfig(testEnv({ GENESYS_RATE_LIMIT_PER_MINUTE: '180', SERVICENOW_RATE_LIMIT_PER_HOUR: '5000' }), {
      requireCallerAuth: true,
    });
    expect(set.genesys.rateLimitPerMinute).toBe(180);
    expect(set.servicenow.rateLimitPerHour).toBe(5000);
    const problems = problemsOf(testEnv({ GENESYS_RATE_LIMIT_PER_MINUTE: '0', SERVICENOW_RATE_LIMIT_PER_HOUR: 'lots' })).join('\n');
    expect(problems).toContain('GENESYS_RATE_LIMIT_PER_MINUTE must be at least 1');
    expect(problems).toContain('SERVICENOW_RATE_LIMIT_PER_HOUR must be a whole number');
  });
});
