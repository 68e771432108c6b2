import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.js';
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
  it('applies the BRIEF §3.2 defaults', () => {
    const c = loadConfig(testEnv({ DATA_DIR: undefined }), { requireCallerAuth: true });
    expect(c.port).toBe(8080);
    expect(c.host).toBe('0.0.0.0');
    expect(c.logLevel).toBe('info');
    expect(c.dataDir.endsWith('/data')).toBe(true);
    expect(c.maxPayloadBytes).toBe(10240);
    expect(c.genesys.tokenRefreshBufferMs).toBe(15000);
    expect(c.servicenow.tokenRefreshBufferMs).toBe(15000);
    expect(c.monitor).toEqual({ pollIntervalMs: 30000, notifications: true });
    expect(c.incidents).toEqual({ openAfterMs: 30000, resolveAfterMs: 300000, reopenWindowMs: 3600000, noteIntervalMs: 300000 });
    expect(c.alertAfterMs).toBe(120000);
    expect(c.actionTimeoutMs).toBe(10000);
    expect(c.databaseUrl).toBeUndefined();
    expect(c.redisUrl).toBeUndefined();
  });

  it('lists every problem at once', () => {
    const problems = problemsOf({ PORT: 'eighty', MAX_PAYLOAD_BYTES: '-5', GENESYS_REGION: 'mars.cloud', MONITOR_NOTIFICATIONS: 'maybe', LOG_LEVEL: 'loud' });
    const text = problems.join('\n');
    for (const name of ['PORT', 'MAX_PAYLOAD_BYTES', 'GENESYS_REGION', 'MONITOR_NOTIFICATIONS', 'LOG_LEVEL', 'GENESYS_CLIENT_ID', 'GENESYS_CLIENT_SECRET', 'SERVICENOW_INSTANCE_URL', 'no caller authentication']) {
      expect(text).toContain(name);
    }
    expect(problems.length).toBeGreaterThanOrEqual(9);
  });

  it('reads the incident note interval and the alert delay, refusing non-numbers', () => {
    const c = loadConfig(testEnv({ INCIDENT_NOTE_INTERVAL_MS: '60000', ALERT_AFTER_MS: '30000' }));
    expect(c.incidents.noteIntervalMs).toBe(60000);
    expect(c.alertAfterMs).toBe(30000);
    const text = problemsOf(testEnv({ INCIDENT_NOTE_INTERVAL_MS: 'often', ALERT_AFTER_MS: '-1' })).join('\n');
    expect(text).toContain('INCIDENT_NOTE_INTERVAL_MS');
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
    expect(loadConfig({ ...base, SERVICENOW_CLIENT_ID: 'c', SERVICENOW_CLIENT_SECRET: 's' }).servicenow.auth.kind).toBe('oauth-client-credentials');
    expect(loadConfig({ ...base, SERVICENOW_CLIENT_ID: 'c', SERVICENOW_CLIENT_SECRET: 's', SERVICENOW_USERNAME: 'u', SERVICENOW_PASSWORD: 'p' }).servicenow.auth.kind).toBe('oauth-password');
    expect(problemsOf(base).join()).toContain('ServiceNow credentials are required');
    expect(problemsOf({ ...base, SERVICENOW_CLIENT_ID: 'c' }).join()).toContain('SERVICENOW_CLIENT_SECRET is required');
  });

  it('parses caller authentication settings', () => {
    const c = loadConfig(testEnv({ GATEWAY_BASIC_AUTH: 'a:x,b:y:z', GATEWAY_API_KEYS: 'k1-0123456789abcdef, k2-0123456789abcdef', GATEWAY_JWKS_URL: 'https://idp.example.com/jwks', GATEWAY_JWT_AUDIENCE: 'trunkgate' }));
    expect(c.gatewayAuth.basic).toEqual([{ user: 'a', password: 'x' }, { user: 'b', password: 'y:z' }]);
    expect(c.gatewayAuth.apiKeys).toEqual(['k1-0123456789abcdef', 'k2-0123456789abcdef']);
    expect(c.gatewayAuth.jwt).toEqual({ jwksUrl: 'https://idp.example.com/jwks', issuer: undefined, audience: 'trunkgate' });
    expect(problemsOf(testEnv({ GATEWAY_BASIC_AUTH: 'nocolon' })).join()).toContain('GATEWAY_BASIC_AUTH entry 1');
    expect(problemsOf(testEnv({ GATEWAY_API_KEYS: 'short' })).join()).toContain('at least 16');
    expect(problemsOf(testEnv({ GATEWAY_JWKS_URL: 'ftp://x' })).join()).toContain('GATEWAY_JWKS_URL must be');
  });

  it('never puts a secret value in a problem message', () => {
    const problems = problemsOf(testEnv({ DATABASE_URL: 'mysql://user:hunter2@db/x', GATEWAY_BASIC_AUTH: 'hunter3' }));
    expect(problems.join()).not.toMatch(/hunter/);
  });
});
