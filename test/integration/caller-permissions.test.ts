import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type TrunkgateApp } from '../../src/app/create-app.js';
import { errorResponseSchema } from '../../src/http/schemas.js';
import { createSchemaEngine } from '../../src/validation/schema-engine.js';
import { echoActions } from '../support/echo-actions.js';
import { writeCallersFile } from '../support/callers-file.js';
import { memoryLogger, testConfig, testEnv, TEST_API_KEY } from '../support/test-config.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const validateError = createSchemaEngine().compile(errorResponseSchema);

/** One caller per permission (plus one for a single action), each with its own key. */
const CALLERS = {
  runner: 'actions:run',
  'echo-only': 'actions:run:echo',
  events: 'events:write',
  status: 'status:read',
  audit: 'audit:read',
  maintenance: 'maintenance:write',
  console: 'console',
} as const;
type Name = keyof typeof CALLERS | 'env-key-1';
const keyOf = (name: Name) => (name === 'env-key-1' ? TEST_API_KEY : `${name}-key-0123456789abcdef`);

const callersYaml = `callers:\n${Object.entries(CALLERS)
  .map(
    ([name, permission]) =>
      `  - name: ${name}\n    apiKey: \${KEY_${name.replace('-', '_').toUpperCase()}}\n    permissions: [${permission}]\n`,
  )
  .join('')}`;
const keyEnv = Object.fromEntries(Object.keys(CALLERS).map((name) => [`KEY_${name.replace('-', '_').toUpperCase()}`, keyOf(name as Name)]));

const trunkEvent = JSON.stringify({ eventId: 'perm-1', trunkId: 'trunk-perm', state: 'rejected', sipCode: 403 });
const maintenanceWindow = JSON.stringify({
  scope: { edgeId: 'edge-perm' },
  endsAt: new Date(Date.now() + 3_600_000).toISOString(),
  reason: 'perm',
});

/**
 * Every /v1 endpoint, what it needs and who may call it. `allowed` lists the callers by hand, not by
 * the permission code under test: env-key-1 (GATEWAY_API_KEYS) has every permission.
 */
const ENDPOINTS: Array<{ method: 'GET' | 'POST'; path: string; body?: string; needs: string; allowed: Name[]; status: number }> = [
  { method: 'GET', path: '/v1/actions', needs: 'actions:run', allowed: ['runner', 'echo-only', 'env-key-1'], status: 200 },
  {
    method: 'POST',
    path: '/v1/actions/echo',
    body: '{"a":1}',
    needs: 'actions:run:echo',
    allowed: ['runner', 'echo-only', 'env-key-1'],
    status: 200,
  },
  { method: 'POST', path: '/v1/actions/slow', body: '{"a":1}', needs: 'actions:run:slow', allowed: ['runner', 'env-key-1'], status: 200 },
  { method: 'POST', path: '/v1/actions/nope', body: '{}', needs: 'actions:run:nope', allowed: ['runner', 'env-key-1'], status: 404 },
  { method: 'POST', path: '/v1/actions/..%2FNope', body: '{}', needs: 'actions:run', allowed: ['runner', 'env-key-1'], status: 404 },
  { method: 'GET', path: '/v1/credentials', needs: 'status:read', allowed: ['status', 'env-key-1'], status: 200 },
  { method: 'GET', path: '/v1/trunks', needs: 'status:read', allowed: ['status', 'env-key-1'], status: 200 },
  { method: 'GET', path: '/v1/trunks/trunk-none', needs: 'status:read', allowed: ['status', 'env-key-1'], status: 404 },
  { method: 'GET', path: '/v1/trunks/trunk-none/events', needs: 'status:read', allowed: ['status', 'env-key-1'], status: 404 },
  { method: 'GET', path: '/v1/incidents', needs: 'status:read', allowed: ['status', 'env-key-1'], status: 200 },
  { method: 'POST', path: '/v1/events', body: trunkEvent, needs: 'events:write', allowed: ['events', 'env-key-1'], status: 200 },
  { method: 'GET', path: '/v1/audit', needs: 'audit:read', allowed: ['audit', 'env-key-1'], status: 200 },
  { method: 'GET', path: '/v1/audit?format=csv', needs: 'audit:read', allowed: ['audit', 'env-key-1'], status: 200 },
  { method: 'GET', path: '/v1/maintenance', needs: 'status:read', allowed: ['status', 'env-key-1'], status: 200 },
  {
    method: 'POST',
    path: '/v1/maintenance',
    body: maintenanceWindow,
    needs: 'maintenance:write',
    allowed: ['maintenance', 'env-key-1'],
    status: 201,
  },
];
const endpoint = (path: string) => ENDPOINTS.find((e) => e.path === path)!;
const NAMES: Name[] = [...(Object.keys(CALLERS) as Name[]), 'env-key-1'];

describe('permissions per caller on every /v1 endpoint', () => {
  let app: TrunkgateApp;
  const log = memoryLogger();

  beforeAll(async () => {
    app = await createApp(testConfig({ CALLERS_FILE: writeCallersFile(callersYaml), ...keyEnv }), {
      logger: log.logger,
      actions: echoActions(1),
      processMetrics: false,
      monitor: null,
    });
  });
  afterAll(async () => {
    await app.close();
  });

  const send = (endpoint: (typeof ENDPOINTS)[number], name: Name, body = endpoint.body) => {
    const req =
      endpoint.method === 'GET'
        ? request(app.express).get(endpoint.path)
        : request(app.express)
            .post(endpoint.path)
            .set('Content-Type', 'application/json')
            .send(body ?? '');
    return req.set('X-API-Key', keyOf(name));
  };

  const cases = ENDPOINTS.flatMap((endpoint) => NAMES.map((name) => ({ endpoint, name, allowed: endpoint.allowed.includes(name) })));

  it.each(cases.map((c) => [`${c.endpoint.method} ${c.endpoint.path}`, c.name, c.allowed ? 'allowed' : 'refused', c] as const))(
    '%s by %s: %s',
    async (_route, name, _outcome, { endpoint, allowed }) => {
      const res = await send(endpoint, name);
      if (allowed) {
        expect(res.status, res.text).toBe(endpoint.status);
        return;
      }
      expect(res.status).toBe(403);
      expect(validateError(res.body)).toBe(true);
      expect(res.body.error).toEqual({
        code: 'forbidden',
        message: `The caller "${name}" lacks the permission ${endpoint.needs}`,
        details: [{ message: `grant ${endpoint.needs} to this caller to allow this`, permission: endpoint.needs, caller: name }],
      });
    },
  );

  it('checks the permission before reading the body: a refused caller gets 403, not invalid_json', async () => {
    const res = await send(endpoint('/v1/actions/echo'), 'status', '{not json');
    expect(res.status).toBe(403);
  });

  it('GET /v1/actions lists only the actions this caller may run', async () => {
    const names = async (who: Name) =>
      ((await send(endpoint('/v1/actions'), who)).body.actions as Array<{ name: string }>).map((a) => a.name).sort();
    expect(await names('echo-only')).toEqual(['echo']);
    expect(await names('runner')).toEqual(['echo', 'slow']);
  });

  it("logs the caller's name, never its key, and counts requests per caller and outcome", async () => {
    await send(endpoint('/v1/credentials'), 'status').set('X-Request-Id', 'perm-log-1');
    await send(endpoint('/v1/credentials'), 'audit').set('X-Request-Id', 'perm-log-2');
    const access = log.lines().filter((l) => l.message === 'request' && String(l.requestId).startsWith('perm-log-'));
    expect(access.map((l) => [l.caller, l.status])).toEqual([
      ['status', 200],
      ['audit', 403],
    ]);
    for (const name of NAMES) expect(log.text()).not.toContain(keyOf(name));
    const metrics = await (await request(app.express).get('/metrics')).text;
    expect(metrics).toMatch(/trunkgate_caller_requests_total\{caller="status",code="ok"\} [1-9]/);
    expect(metrics).toMatch(/trunkgate_caller_requests_total\{caller="audit",code="forbidden"\} [1-9]/);
    expect(metrics).toMatch(/trunkgate_caller_requests_total\{caller="runner",code="unknown_action"\} [1-9]/);
    for (const name of NAMES) expect(metrics).not.toContain(keyOf(name));
  });

  it('warns at start-up that environment callers have every permission', () => {
    const warning = log.lines().find((l) => l.module === 'callers' && l.level === 'warn');
    expect(warning).toMatchObject({ callers: ['env-key-1', 'basic:flow'] });
    expect(String(warning!.message)).toContain('have every permission');
  });
});

describe('CALLERS_FILE at start-up', () => {
  it('warns about a permission for an action that is not loaded', async () => {
    const log = memoryLogger('warn');
    const file = writeCallersFile(
      'callers:\n  - name: typo\n    apiKey: typo-key-0123456789abc\n    permissions: [actions:run:crate-incident]\n',
    );
    const app = await createApp(testConfig({ CALLERS_FILE: file }), {
      logger: log.logger,
      actions: echoActions(1),
      processMetrics: false,
      monitor: null,
    });
    await app.close();
    expect(log.lines().map((l) => l.message)).toContain(
      'caller "typo" has actions:run:crate-incident, but no action of that name is loaded',
    );
  });

  it('npm start stops with exit code 78, listing every problem of the file and no secret', () => {
    const file = writeCallersFile(
      'callers:\n  - name: a\n    apiKey: short-key\n    permissions: [actions:write]\n  - name: a\n    permissions: [status:read]\n',
    );
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: root,
      env: { ...testEnv({ CALLERS_FILE: file }), PATH: process.env.PATH },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.status).toBe(78);
    expect(run.stderr).toContain('trunkgate: Invalid configuration:');
    expect(run.stderr).toContain(`CALLERS_FILE (${file}): /callers/0 (a)/permissions/0: unknown permission "actions:write"`);
    expect(run.stderr).toContain(`CALLERS_FILE (${file}): /callers/0 (a)/apiKey: must be at least 16 characters`);
    expect(run.stderr).toContain(`CALLERS_FILE (${file}): /callers/1 (a): has no credential`);
    expect(run.stderr).not.toContain('short-key');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
