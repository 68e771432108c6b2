import { describe, expect, it } from 'vitest';
import { PERMISSIONS } from '../../src/config/caller-definitions.js';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import { testEnv } from '../support/test-config.js';

const FILE = '/etc/trunkgate/callers.yaml';
const FLOWS_KEY = 'flows-key-0123456789abcdef';

/** loadConfig with CALLERS_FILE read from `text` (no file system). */
function load(text: string, env: Record<string, string | undefined> = {}) {
  return loadConfig(testEnv({ CALLERS_FILE: FILE, ...env }), {
    requireCallerAuth: true,
    readFile: (p) => {
      if (p === FILE) return text;
      throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
    },
  });
}

function problems(text: string, env: Record<string, string | undefined> = {}): string[] {
  try {
    load(text, env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

const example = `
callers:
  - name: genesys-flows
    apiKey: \${FLOWS_API_KEY}
    permissions: [actions:run]
  - name: noc
    basic: { user: noc, password: "\${NOC_PASSWORD}" }
    permissions: [status:read, audit:read, console]
    rateLimitPerMinute: \${NOC_RATE:-30}
  - name: incident-flow
    apiKey: incident-key-0123456789
    permissions: [actions:run:create-incident, actions:run:get-incident]
    rateLimitPerMinute: 0
`;

describe('CALLERS_FILE', () => {
  it('names callers with their credential, permissions and rate limit, after ${VAR} interpolation', () => {
    const auth = load(example, {
      FLOWS_API_KEY: FLOWS_KEY,
      NOC_PASSWORD: 'noc-password',
      GATEWAY_BASIC_AUTH: undefined,
      GATEWAY_API_KEYS: undefined,
    }).gatewayAuth;
    expect(auth.callersFile).toBe(FILE);
    expect(auth.callers).toEqual([
      {
        name: 'genesys-flows',
        credential: { kind: 'api-key', key: FLOWS_KEY },
        permissions: ['actions:run'],
        rateLimitPerMinute: undefined,
        source: 'CALLERS_FILE',
      },
      {
        name: 'noc',
        credential: { kind: 'basic', user: 'noc', password: 'noc-password' },
        permissions: ['status:read', 'audit:read', 'console'],
        rateLimitPerMinute: 30,
        source: 'CALLERS_FILE',
      },
      {
        name: 'incident-flow',
        credential: { kind: 'api-key', key: 'incident-key-0123456789' },
        permissions: ['actions:run:create-incident', 'actions:run:get-incident'],
        rateLimitPerMinute: 0,
        source: 'CALLERS_FILE',
      },
    ]);
  });

  it('adds one caller with every permission per key of GATEWAY_API_KEYS and user of GATEWAY_BASIC_AUTH, named without the secret', () => {
    const auth = load(example, {
      FLOWS_API_KEY: FLOWS_KEY,
      NOC_PASSWORD: 'p',
      GATEWAY_API_KEYS: 'env-one-0123456789abcdef,env-two-0123456789abcdef',
      GATEWAY_BASIC_AUTH: 'flow:pw1,ops:pw2',
    }).gatewayAuth;
    const fromEnv = auth.callers.filter((c) => c.source !== 'CALLERS_FILE');
    expect(fromEnv.map((c) => [c.name, c.source])).toEqual([
      ['env-key-1', 'GATEWAY_API_KEYS'],
      ['env-key-2', 'GATEWAY_API_KEYS'],
      ['basic:flow', 'GATEWAY_BASIC_AUTH'],
      ['basic:ops', 'GATEWAY_BASIC_AUTH'],
    ]);
    for (const caller of fromEnv) expect(caller.permissions).toEqual([...PERMISSIONS]);
  });

  it('lists every problem at once, naming entries but never a secret', () => {
    const text = `
callers:
  - name: a
    apiKey: dup-key-0123456789abcdef
    permissions: [actions:run, actions:write, status:reed]
  - name: a
    apiKey: dup-key-0123456789abcdef
    permissions: [status:read]
  - name: short
    apiKey: shh-short
    permissions: [status:read]
  - name: nothing
    permissions: [status:read]
  - name: both
    apiKey: both-key-0123456789abcdef
    basic: { user: both, password: both-password }
    permissions: [status:read]
  - name: env-clash
    apiKey: test-api-key-0123456789abcdef
    permissions: [status:read]
  - name: user-clash
    basic: { user: flow, password: other-password }
    permissions: [status:read]
  - name: unset
    apiKey: \${UNSET_CALLER_KEY}
    permissions: [status:read]
  - name: jwt
    apiKey: reserved-key-0123456789ab
    permissions: [status:read]
  - name: limited
    apiKey: limited-key-0123456789ab
    permissions: [status:read]
    rateLimitPerMinute: lots
`;
    const found = problems(text);
    const at = (entry: string) => found.filter((p) => p.startsWith(`CALLERS_FILE (${FILE}): ${entry}`) || p.startsWith(entry));
    expect(at('/callers/0 (a)/permissions/1')).toEqual([
      `CALLERS_FILE (${FILE}): /callers/0 (a)/permissions/1: unknown permission "actions:write" (known: actions:run, events:write, status:read, audit:read, maintenance:write, console, actions:run:<action>)`,
    ]);
    expect(found.join('\n')).toContain('/callers/0 (a)/permissions/2: unknown permission "status:reed"');
    expect(found).toContain(
      'CALLERS_FILE /callers/1 (a): the name "a" is also CALLERS_FILE /callers/0 (a); each caller needs its own name',
    );
    expect(found).toContain(
      'CALLERS_FILE /callers/1 (a): its API key is also the credential of CALLERS_FILE /callers/0 (a); a credential may name one caller only',
    );
    expect(found).toContain(`CALLERS_FILE (${FILE}): /callers/2 (short)/apiKey: must be at least 16 characters`);
    expect(found).toContain(`CALLERS_FILE (${FILE}): /callers/3 (nothing): has no credential: give apiKey or basic: {user, password}`);
    expect(found).toContain(
      `CALLERS_FILE (${FILE}): /callers/4 (both): give either apiKey or basic, not both (a second credential is a second caller)`,
    );
    expect(found).toContain(
      'GATEWAY_API_KEYS (env-key-1): its API key is also the credential of CALLERS_FILE /callers/5 (env-clash); a credential may name one caller only',
    );
    expect(found).toContain(
      'GATEWAY_BASIC_AUTH (basic:flow): its Basic user "flow" is also the credential of CALLERS_FILE /callers/6 (user-clash); a credential may name one caller only',
    );
    expect(found).toContain(
      `CALLERS_FILE (${FILE}): /callers/7/apiKey: environment variable UNSET_CALLER_KEY is not set (write \${UNSET_CALLER_KEY:-default} to allow that)`,
    );
    expect(found).toContain(`CALLERS_FILE (${FILE}): /callers/8 (jwt)/name: "jwt" is reserved (JWT callers are counted under it)`);
    expect(found).toContain(
      `CALLERS_FILE (${FILE}): /callers/9 (limited)/rateLimitPerMinute: must be a whole number from 0 (no limit) to 1000000`,
    );
    const text2 = found.join('\n');
    for (const secret of [
      'dup-key-0123456789abcdef',
      'shh-short',
      'both-password',
      'other-password',
      'test-api-key-0123456789abcdef',
      'reserved-key',
    ])
      expect(text2).not.toContain(secret);
  });

  it('refuses what the format does not know, and keys written as YAML numbers', () => {
    const found = problems(
      'callers:\n  - name: "bad name!"\n    apiKey: 12345678901234567890123\n    permissions: []\n    colour: red\nextra: 1\n',
    );
    expect(found).toEqual(
      expect.arrayContaining([
        `CALLERS_FILE (${FILE}): /extra: is not an accepted field`,
        `CALLERS_FILE (${FILE}): /callers/0/colour: is not an accepted field`,
        `CALLERS_FILE (${FILE}): /callers/0/name: must be 1-64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit`,
        `CALLERS_FILE (${FILE}): /callers/0/apiKey: must be a string (quote it)`,
        `CALLERS_FILE (${FILE}): /callers/0/permissions: must NOT have fewer than 1 items`,
      ]),
    );
  });

  it('reports YAML that does not parse, and a file that cannot be read', () => {
    expect(problems('callers: [unclosed\n')[0]).toMatch(new RegExp(`^CALLERS_FILE \\(${FILE}\\): `));
    expect(problemsOf({ CALLERS_FILE: '/nowhere/callers.yaml' })).toContain('CALLERS_FILE: cannot read /nowhere/callers.yaml (ENOENT)');
  });

  it('is enough on its own for npm start; an empty one is not', () => {
    const only = { GATEWAY_API_KEYS: undefined, GATEWAY_BASIC_AUTH: undefined };
    expect(
      load('callers:\n  - name: x\n    apiKey: only-key-0123456789ab\n    permissions: [status:read]\n', only).gatewayAuth.callers,
    ).toHaveLength(1);
    expect(problems('callers: []\n', only)).toEqual([
      'no caller authentication configured: set CALLERS_FILE, GATEWAY_BASIC_AUTH, GATEWAY_API_KEYS or GATEWAY_JWKS_URL',
    ]);
  });
});

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(testEnv(env), { requireCallerAuth: true });
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('caller settings in the environment', () => {
  it('refuses a key or a user listed twice', () => {
    expect(problemsOf({ GATEWAY_API_KEYS: 'same-key-0123456789abc,same-key-0123456789abc' })).toContain(
      'GATEWAY_API_KEYS (env-key-2): its API key is also the credential of GATEWAY_API_KEYS (env-key-1); a credential may name one caller only',
    );
    expect(problemsOf({ GATEWAY_BASIC_AUTH: 'ops:one,ops:two' })).toEqual(
      expect.arrayContaining([
        expect.stringContaining('GATEWAY_BASIC_AUTH (basic:ops): the name "basic:ops" is also GATEWAY_BASIC_AUTH (basic:ops)'),
      ]),
    );
  });

  it('reads GATEWAY_CALLER_RATE_LIMIT and GATEWAY_JWT_PERMISSIONS_CLAIM', () => {
    const c = loadConfig(
      testEnv({
        GATEWAY_CALLER_RATE_LIMIT: '120',
        GATEWAY_JWKS_URL: 'https://idp.example.com/jwks',
        GATEWAY_JWT_PERMISSIONS_CLAIM: 'permissions',
      }),
    );
    expect(c.gatewayAuth.rateLimitPerMinute).toBe(120);
    expect(c.gatewayAuth.jwt?.permissionsClaim).toBe('permissions');
    expect(loadConfig(testEnv()).gatewayAuth.rateLimitPerMinute).toBeUndefined();
    expect(problemsOf({ GATEWAY_CALLER_RATE_LIMIT: '0' })).toContain('GATEWAY_CALLER_RATE_LIMIT must be at least 1 (got 0)');
    expect(problemsOf({ GATEWAY_JWT_PERMISSIONS_CLAIM: 'roles' })).toContain(
      'GATEWAY_JWT_ISSUER / GATEWAY_JWT_AUDIENCE / GATEWAY_JWT_PERMISSIONS_CLAIM need GATEWAY_JWKS_URL',
    );
  });
});
