import { describe, expect, it } from 'vitest';
import { redact, REDACTED, redactString } from '../../src/log/redact.js';
import { memoryLogger } from '../support/test-config.js';

describe('redact', () => {
  it('masks secret keys at any depth, in arrays too, and keeps the rest', () => {
    const input = {
      upstream: 'genesys',
      headers: { Authorization: 'Bearer abc.def.ghi', 'X-API-Key': 'k-123', accept: 'application/json' },
      body: { access_token: 't0k', expires_in: 3600, nested: [{ client_secret: 's3c' }, { password: 'pw' }] },
      config: { clientSecret: 'cs', tokenRefreshBufferMs: 15000, refreshCount: 3 },
    };
    expect(redact(input)).toEqual({
      upstream: 'genesys',
      headers: { Authorization: REDACTED, 'X-API-Key': REDACTED, accept: 'application/json' },
      body: { access_token: REDACTED, expires_in: 3600, nested: [{ client_secret: REDACTED }, { password: REDACTED }] },
      config: { clientSecret: REDACTED, tokenRefreshBufferMs: 15000, refreshCount: 3 },
    });
    expect(input.headers.Authorization).toBe('Bearer abc.def.ghi');
  });

  it('masks credentials inside strings and errors, and survives cycles', () => {
    const err = new Error('request failed with Authorization: Bearer eyJabc.def', {
      cause: new Error('body grant_type=password&password=hunter2'),
    });
    const cyclic: Record<string, unknown> = { name: 'x' };
    cyclic.self = cyclic;
    const out = JSON.stringify(redact({ err, cyclic }));
    expect(out).not.toContain('eyJabc');
    expect(out).not.toContain('hunter2');
    expect(out).toContain('[Circular]');
  });
});

describe('logger', () => {
  it('never writes a secret, whatever the depth or form', () => {
    const log = memoryLogger();
    log.logger.child({ module: 'test' }).info('token refreshed with Basic dXNlcjpwYXNz', {
      response: { data: { access_token: 'live-token-value', token_type: 'bearer' } },
      request: { headers: { authorization: 'Bearer live-token-value' } },
      err: Object.assign(new Error('upstream said client_secret=abc123 is wrong'), { code: 'invalid_client' }),
    });
    const text = log.text();
    expect(text).not.toContain('live-token-value');
    expect(text).not.toContain('dXNlcjpwYXNz');
    expect(text).not.toContain('abc123');
    const line = log.lines()[0]!;
    expect(line).toMatchObject({ module: 'test', level: 'info', err: { code: 'invalid_client' } });
  });

  it('masks secrets given at the top of an entry, and leaves the objects it was given unchanged', () => {
    const log = memoryLogger();
    const shared = { authorization: 'Bearer shared-token-value', kept: 'yes' };
    log.logger.info('sent with Bearer msg-token-value', {
      password: 'top-pw-value',
      note: 'grant_type=password&password=form-pw-value',
      headers: shared,
      again: shared,
      count: 3,
    });
    log.logger.error(new Error('login refused for client_secret=lone-error-secret'));
    const text = log.text();
    for (const secret of ['shared-token-value', 'msg-token-value', 'top-pw-value', 'form-pw-value', 'lone-error-secret'])
      expect(text).not.toContain(secret);
    expect(log.lines()[0]).toMatchObject({
      password: REDACTED,
      headers: { authorization: REDACTED, kept: 'yes' },
      again: '[Circular]',
      count: 3,
    });
    expect(shared.authorization).toBe('Bearer shared-token-value');
  });

  it('masks credentials whatever the case of the scheme (HTTP schemes are case-insensitive)', () => {
    expect(redactString('sent authorization: bearer low-token-value')).toBe('sent authorization: bearer [REDACTED]');
    expect(redactString('BASIC dXNlcjpwYXNz and PASSWORD=upper-pw')).toBe('BASIC [REDACTED] and PASSWORD=[REDACTED]');
    expect(redactString('nothing secret here')).toBe('nothing secret here');
  });

  it('masks the whole value of a credential header written as text, whatever its shape', () => {
    const cases: Array<[string, string]> = [
      ['refused Authorization: abcdef0123456789==', 'refused Authorization: [REDACTED]'],
      ['authorization:\tBearer   spaced-token', 'authorization:\tBearer   [REDACTED]'],
      ['Proxy-Authorization: Digest username="u", response="6629fae4"\nnext line', 'Proxy-Authorization: Digest [REDACTED]\nnext line'],
      ['Authorization: Bearer', 'Authorization: [REDACTED]'],
      ['X-API-Key=raw-key-value rest', 'X-API-Key=[REDACTED]'],
      ['{"x-api-key":"it\'s \\"quoted\\"","b":2}', '{"x-api-key":"[REDACTED]","b":2}'],
      ['cookie: session=s3cr3t; theme=dark', 'cookie: [REDACTED]'],
      ['Set-Cookie: sid=abc; HttpOnly', 'Set-Cookie: [REDACTED]'],
    ];
    for (const [input, masked] of cases) expect(redactString(input), input).toBe(masked);
    expect(redactString('Authorization scheme is not accepted')).toBe('Authorization scheme is not accepted');
  });

  it('masks the value after a credential header name in a raw header list', () => {
    expect(redact(['Host', 'gw', 'authorization', 'no-scheme-key', 'X-API-Key', 'k-123', 'Cookie', 'a=b', 'Accept', '*/*'])).toEqual([
      'Host',
      'gw',
      'authorization',
      REDACTED,
      'X-API-Key',
      REDACTED,
      'Cookie',
      REDACTED,
      'Accept',
      '*/*',
    ]);
  });
});
