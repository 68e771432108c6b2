import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app/create-app.js';
import { MappingError } from '../../src/actions/mapping-loader.js';
import { startActionHarness, type ActionHarness } from '../support/action-harness.js';
import { testConfig, testEnv } from '../support/test-config.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const builtins = path.join(root, 'mappings', 'actions');

describe('POST /v1/actions/:name input validation', () => {
  let h: ActionHarness;
  beforeAll(async () => {
    h = await startActionHarness();
  });
  afterAll(async () => h.close());

  const cases: Array<[string, unknown, Array<{ path: string; message: RegExp }>]> = [
    ['create-incident', {}, [{ path: '/short_description', message: /required/ }]],
    ['create-incident', { short_description: '' }, [{ path: '/short_description', message: /fewer than 1/ }]],
    ['create-incident', { short_description: 'x', urgency: 4 }, [{ path: '/urgency', message: /one of 1, 2, 3/ }]],
    ['create-incident', { short_description: 'x', impact: true }, [{ path: '/impact', message: /string or integer/ }]],
    ['create-incident', { short_description: 'x', color: 'red' }, [{ path: '/color', message: /not an accepted field/ }]],
    ['create-incident', { short_description: 'x'.repeat(161) }, [{ path: '/short_description', message: /more than 160/ }]],
    ['get-incident', {}, [{ path: '/sys_id', message: /one of sys_id, number is required/ }]],
    ['get-incident', { sys_id: 'INC0010001' }, [{ path: '/sys_id', message: /pattern/ }]],
    ['get-incident', { number: 'INC1^ORactive=true' }, [{ path: '/number', message: /pattern/ }]],
    ['update-incident', { sys_id: 'a'.repeat(32) }, [{ path: '/state', message: /one of state, work_notes/ }]],
    ['update-incident', { number: 'INC0010001', state: 'resolved' }, [{ path: '/state', message: /pattern/ }]],
    ['update-incident', { work_notes: 'x' }, [{ path: '/sys_id', message: /one of sys_id, number/ }]],
    ['add-work-note', { sys_id: 'a'.repeat(32) }, [{ path: '/work_notes', message: /required/ }]],
    ['get-trunk', { trunkId: 'not-a-uuid' }, [{ path: '/trunkId', message: /format "uuid"/ }]],
    ['get-trunk', [], [{ path: '', message: /must be object/ }]],
    [
      'create-incident',
      { urgency: '9', impact: 0, extra: 1 },
      [
        { path: '/short_description', message: /required/ },
        { path: '/extra', message: /not an accepted field/ },
        { path: '/urgency', message: /one of/ },
        { path: '/impact', message: /one of/ },
      ],
    ],
  ];

  for (const [action, body, expected] of cases) {
    it(`${action} ${JSON.stringify(body).slice(0, 60)} → validation_failed at ${expected.map((e) => e.path || '(root)').join(', ')}`, async () => {
      const res = await h.run(action, body);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
      const details = res.body.error.details as Array<{ path: string; message: string }>;
      expect(details).toHaveLength(expected.length);
      for (const e of expected) expect(details).toContainEqual({ path: e.path, message: expect.stringMatching(e.message) });
    });
  }

  it('an unknown action is unknown_action (404)', async () => {
    const res = await h.run('delete-everything', {});
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('unknown_action');
  });

  it('no upstream call is made for invalid input', async () => {
    const before = h.sims.servicenow.stats().requests;
    await h.run('create-incident', { short_description: 5 }).expect(400);
    expect(h.sims.servicenow.stats().requests).toBe(before);
  });
});

describe('mapping files', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  function mappingsDir(files: Record<string, string>, withBuiltins = true): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trunkgate-mappings-'));
    dirs.push(dir);
    fs.mkdirSync(path.join(dir, 'actions'));
    if (withBuiltins) for (const f of fs.readdirSync(builtins)) fs.copyFileSync(path.join(builtins, f), path.join(dir, 'actions', f));
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, 'actions', name), text);
    return dir;
  }

  const userMapping = `
name: push-ticket-update
description: A Genesys flow adds the customer's words to the ticket as a comment and sets its urgency.
upstream: servicenow
timeoutMs: 5000
input:
  type: object
  additionalProperties: false
  required: [ticket, said]
  properties:
    ticket: { type: string, pattern: '^[0-9a-f]{32}$' }
    said: { type: string, minLength: 1, maxLength: 1000 }
    urgent: { type: boolean }
steps:
  - name: ticket
    method: PATCH
    path: /api/now/table/incident/\${ticket}
    query: { sysparm_fields: 'sys_id,number,urgency', sysparm_exclude_reference_link: true }
    body:
      comments: 'Caller said: \${said}'
      urgency: '\${urgent ? "1" : undefined}'
    select: result
output:
  schema:
    type: object
    required: [ticketNumber, urgency]
    properties:
      ticketNumber: { type: string }
      urgency: { type: string }
  fields:
    ticketNumber: '\${number}'
    urgency: '\${urgency}'
`;

  it('a user-added mapping file becomes an action next to the built-ins', async () => {
    const h = await startActionHarness({ env: { MAPPINGS_DIR: mappingsDir({ 'push-ticket-update.yaml': userMapping }) } });
    try {
      const created = await h.run('create-incident', { short_description: 'Customer cannot call out', urgency: 3 });
      const res = await h.run('push-ticket-update', { ticket: created.body.sys_id, said: 'it "still" fails ^ORactive=true', urgent: true });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ ticketNumber: created.body.number, urgency: '1' });
      const stored = h.sims.servicenow.incidents().find((i) => i.sysId === created.body.sys_id)!;
      expect(stored.journal.map((j) => [j.field, j.value])).toEqual([['comments', 'Caller said: it "still" fails ^ORactive=true']]);
      const listed = (await h.run('push-ticket-update', { ticket: 'x', said: '' })).body.error.details.map((d: { path: string }) => d.path);
      expect(listed.sort()).toEqual(['/said', '/ticket']);
    } finally {
      await h.close();
    }
  });

  const broken: Array<[string, string, RegExp]> = [
    ['bad-yaml.yaml', 'name: bad-yaml\ndescription: [unclosed\n', /bad-yaml\.yaml: not valid YAML/],
    [
      'no-steps.yaml',
      'name: no-steps\ndescription: d\nupstream: servicenow\ninput: {type: object}\noutput: {schema: {type: object, properties: {}}, fields: {a: x}}\n',
      /no-steps\.yaml: \(top level\) is required|no-steps\.yaml: \/steps is required/,
    ],
    [
      'wrong-name.yaml',
      userMapping.replace('name: push-ticket-update', 'name: other-name'),
      /wrong-name\.yaml: name "other-name" must match the file name/,
    ],
    [
      'bad-upstream.yaml',
      userMapping.replace('push-ticket-update', 'bad-upstream').replace('upstream: servicenow', 'upstream: salesforce'),
      /bad-upstream\.yaml: \/upstream must be one of "genesys", "servicenow"/,
    ],
    [
      'bad-expr.yaml',
      userMapping.replace('push-ticket-update', 'bad-expr').replace("'${number}'", "'${number +}'"),
      /bad-expr\.yaml: output\.fields\.ticketNumber: JSONata expression "number \+" does not compile/,
    ],
    [
      'bad-schema.yaml',
      userMapping.replace('push-ticket-update', 'bad-schema').replace('minLength: 1, maxLength: 1000', 'minLenght: 1'),
      /bad-schema\.yaml: input: not a valid JSON Schema: strict mode: unknown keyword: "minLenght"/,
    ],
    [
      'bad-path.yaml',
      userMapping.replace('push-ticket-update', 'bad-path').replace('/api/now/table/incident/', '/login.do?x='),
      /bad-path\.yaml: steps\[0\] \(ticket\)\.path must start with \/api\//,
    ],
    [
      'bad-timeout.yaml',
      userMapping.replace('push-ticket-update', 'bad-timeout').replace('timeoutMs: 5000', 'timeoutMs: 120000'),
      /bad-timeout\.yaml: \/timeoutMs must be <= 60000/,
    ],
    [
      'bad-output.yaml',
      userMapping.replace('push-ticket-update', 'bad-output').replace("urgency: '${urgency}'", "priority: '${priority}'"),
      /bad-output\.yaml: output\.fields\.priority is not a property of output\.schema/,
    ],
    [
      'null-output.yaml',
      userMapping.replace('push-ticket-update', 'null-output').replace('urgency: { type: string }', "urgency: { type: [string, 'null'] }"),
      /null-output\.yaml: output\.schema\.properties\.urgency allows null: a field without a value is left out/,
    ],
  ];

  for (const [file, text, message] of broken) {
    it(`refuses to start with ${file}, naming the file and the problem`, async () => {
      const dir = mappingsDir({ [file]: text }, false);
      const err = await createApp(testConfig({ MAPPINGS_DIR: dir }), { processMetrics: false }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MappingError);
      expect((err as Error).message).toMatch(message);
    });
  }

  it('npm start stops with exit code 78 and a readable message (no stack) on a broken mapping', () => {
    const dir = mappingsDir({ 'bad-expr.yaml': broken[4]![1] }, false);
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: root,
      env: { ...testEnv({ MAPPINGS_DIR: dir }), PATH: process.env.PATH },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.status).toBe(78);
    expect(run.stderr).toContain('trunkgate: Action mappings are invalid:');
    expect(run.stderr).toContain('bad-expr.yaml: output.fields.ticketNumber: JSONata expression "number +" does not compile');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('npm start stops with exit code 78 on a broken incident.yaml too', () => {
    const dir = mappingsDir({}, true);
    fs.writeFileSync(path.join(dir, 'incident.yaml'), 'kinds: {}\nresolve: {close_code: x, close_notes: y}\n');
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: root,
      env: { ...testEnv({ MAPPINGS_DIR: dir }), PATH: process.env.PATH },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.status).toBe(78);
    expect(run.stderr).toMatch(/incident\.yaml is not a valid incident mapping/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses a MAPPINGS_DIR that does not exist', async () => {
    await expect(
      createApp(testConfig({ MAPPINGS_DIR: path.join(os.tmpdir(), 'no-such-trunkgate-mappings') }), { processMetrics: false }),
    ).rejects.toThrow(/MAPPINGS_DIR .* is not a folder/);
  });
});

describe('npm run export-data-actions', () => {
  it('writes one Genesys Data Action JSON per loaded action', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'trunkgate-export-'));
    try {
      const run = spawnSync(
        process.execPath,
        ['--import', 'tsx', 'src/cli/export-data-actions.ts', '--base-url', 'https://gw.example.com', '--out', out],
        { cwd: root, encoding: 'utf8', timeout: 30_000 },
      );
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(fs.readdirSync(out).sort()).toEqual([
        'add-work-note.json',
        'create-incident.json',
        'get-incident.json',
        'get-trunk.json',
        'update-incident.json',
      ]);
      const exported = JSON.parse(fs.readFileSync(path.join(out, 'create-incident.json'), 'utf8'));
      expect(exported.config.request.requestUrlTemplate).toBe('https://gw.example.com/v1/actions/create-incident');
      expect(exported.contract.input.inputSchema.required).toEqual(['short_description']);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  const exportRun = (args: string[], env: Record<string, string | undefined> = {}) => {
    const { CONNECTIONS_FILE: _unset, ...inherited } = process.env;
    return spawnSync(
      process.execPath,
      ['--import', 'tsx', 'src/cli/export-data-actions.ts', '--base-url', 'https://gw.example.com', ...args],
      {
        cwd: root,
        encoding: 'utf8',
        timeout: 60_000,
        env: { ...inherited, ...env },
      },
    );
  };
  /** A connections file with orgs acme and globex (its secrets unset: only the names are read). */
  const twoOrgs = (dir: string) => {
    const file = path.join(dir, 'connections.yaml');
    fs.writeFileSync(
      file,
      'genesys:\n  - { name: acme, region: mypurecloud.ie, clientId: a, clientSecret: "${ACME_SECRET}" }\n' +
        '  - { name: "${SECOND_ORG:-globex}", region: mypurecloud.com, clientId: g, clientSecret: "${GLOBEX_SECRET}" }\n' +
        'servicenow:\n  - { name: sn, instanceUrl: https://sn.example.com, username: u, password: "${SN_PASSWORD}" }\n',
    );
    return file;
  };

  it("--org: every action calls that org's route", { timeout: 90_000 }, () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'trunkgate-export-'));
    try {
      const actionsDir = path.join(out, 'actions');
      const run = exportRun(['--out', actionsDir, '--org', 'globex'], { CONNECTIONS_FILE: twoOrgs(out) });
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(run.stdout).toContain('Data Actions written for org globex');
      for (const name of ['add-work-note', 'create-incident', 'get-incident', 'get-trunk', 'update-incident']) {
        const exported = JSON.parse(fs.readFileSync(path.join(actionsDir, `${name}.json`), 'utf8'));
        expect(exported.config.request.requestUrlTemplate).toBe(`https://gw.example.com/v1/orgs/globex/actions/${name}`);
        expect(exported.name).toBe(`trunkgate ${name}`);
      }
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  it('--org naming an org CONNECTIONS_FILE does not list: exit 2, the orgs listed, nothing written', { timeout: 90_000 }, () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'trunkgate-export-'));
    try {
      const file = twoOrgs(out);
      const run = exportRun(['--out', path.join(out, 'actions'), '--org', 'initech'], { CONNECTIONS_FILE: file });
      expect(run.status).toBe(2);
      expect(run.stderr).toContain(`--org "initech" is not configured; the orgs of CONNECTIONS_FILE (${file}): acme, globex`);
      expect(fs.existsSync(path.join(out, 'actions'))).toBe(false);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  it('refuses to run without --base-url', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/export-data-actions.ts', '--out', os.tmpdir()], {
      cwd: root,
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--base-url and --out are required');
  });
});
