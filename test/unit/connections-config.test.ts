import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDoctor } from '../../src/cli/doctor.js';
import { ConfigError, loadConfig, type Config } from '../../src/config/config.js';
import { defaultConnections, type ConnectionsConfig } from '../../src/config/connections.js';
import { configSecrets } from '../../src/doctor/build-checks.js';
import { fileURLToPath } from 'node:url';
import { ManualClock } from '../../src/time/manual-clock.js';
import { tempDataDir, testEnv } from '../support/test-config.js';

const FILE = '/etc/trunkgate/connections.yaml';

/** The test environment without its GENESYS_* / SERVICENOW_* connection variables, as a deployment with a file has it. */
function fileEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  return testEnv({
    GENESYS_LOGIN_URL: undefined,
    GENESYS_API_URL: undefined,
    GENESYS_CLIENT_ID: undefined,
    GENESYS_CLIENT_SECRET: undefined,
    SERVICENOW_INSTANCE_URL: undefined,
    SERVICENOW_USERNAME: undefined,
    SERVICENOW_PASSWORD: undefined,
    CONNECTIONS_FILE: FILE,
    ...extra,
  });
}

/** loadConfig with CONNECTIONS_FILE read from `text` and other files from `files` (no file system). */
function load(text: string, env: Record<string, string | undefined> = {}, files: Record<string, string> = {}): Config {
  const all: Record<string, string> = { [FILE]: text, ...files };
  return loadConfig(fileEnv(env), {
    requireCallerAuth: true,
    readFile: (p) => {
      if (p in all) return all[p]!;
      throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
    },
  });
}

function problems(text: string, env: Record<string, string | undefined> = {}, files: Record<string, string> = {}): string[] {
  try {
    load(text, env, files);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

const example = `
genesys:
  - name: emea
    region: mypurecloud.ie
    clientId: emea-client
    clientSecret: \${EMEA_SECRET}
    requiredScopes: [telephony:readonly, notifications]
    servicenow: acme
  - name: apac
    region: mypurecloud.com.au
    apiUrl: http://127.0.0.1:4000/
    clientId: \${APAC_CLIENT_ID:-apac-client}
    clientSecret: \${APAC_SECRET}
    tokenRefreshBufferMs: 30000
    rateLimitPerMinute: \${APAC_RATE:-180}
    monitor: { enabled: "\${APAC_MONITOR:-off}", pollIntervalMs: 60000, notifications: false }
    servicenow: acme-eu
servicenow:
  - name: acme
    instanceUrl: https://acme.service-now.com/
    clientId: sn-client
    clientSecret: \${SN_SECRET}
    rateLimitPerHour: 5000
  - name: acme-eu
    instanceUrl: https://acme-eu.service-now.com
    username: trunkgate.integration
    password: \${SN_EU_PASSWORD}
    tokenRefreshBufferMs: 20000
routes:
  - match: { org: apac, trunkName: "Lumen*" }
    servicenow: acme
    fields: { assignment_group: Voice Carriers APAC, urgency: 1 }
  - match: { trunkBaseId: 5b2e4c1a-0000-4000-8000-000000000001 }
    fields: { cmdb_ci: BYOC Lumen, impact: 2, u_escalate: true }
  - match: { edgeName: "edge-?-syd*" }
    fields: { assignment_group: Sydney Site }
`;

const secrets = { EMEA_SECRET: 'emea-secret-value', APAC_SECRET: 'apac-secret-value', SN_SECRET: 'sn-secret-value' };
const snPasswordFile = { SN_EU_PASSWORD_FILE: '/run/secrets/sn-eu-password' };
const files = { '/run/secrets/sn-eu-password': 'sn-eu-password-value\n' };

describe('CONNECTIONS_FILE', () => {
  it('reads two orgs, two instances and the routes, after ${VAR} / ${VAR:-default} / VAR_FILE interpolation', () => {
    const config = load(
      example,
      { ...secrets, ...snPasswordFile, TOKEN_REFRESH_BUFFER_MS: '10000', MONITOR_POLL_INTERVAL_MS: '45000' },
      files,
    );
    const expected: ConnectionsConfig = {
      fromFile: true,
      orgs: [
        {
          name: 'emea',
          region: 'mypurecloud.ie',
          loginUrl: 'https://login.mypurecloud.ie',
          apiUrl: 'https://api.mypurecloud.ie',
          clientId: 'emea-client',
          clientSecret: 'emea-secret-value',
          tokenRefreshBufferMs: 10000,
          requiredScopes: ['telephony:readonly', 'notifications'],
          rateLimitPerMinute: 300,
          servicenow: 'acme',
          monitor: { enabled: true, pollIntervalMs: 45000, notifications: true },
        },
        {
          name: 'apac',
          region: 'mypurecloud.com.au',
          loginUrl: 'https://login.mypurecloud.com.au',
          apiUrl: 'http://127.0.0.1:4000',
          clientId: 'apac-client',
          clientSecret: 'apac-secret-value',
          tokenRefreshBufferMs: 30000,
          requiredScopes: [],
          rateLimitPerMinute: 180,
          servicenow: 'acme-eu',
          monitor: { enabled: false, pollIntervalMs: 60000, notifications: false },
        },
      ],
      instances: [
        {
          name: 'acme',
          instanceUrl: 'https://acme.service-now.com',
          auth: { kind: 'oauth-client-credentials', clientId: 'sn-client', clientSecret: 'sn-secret-value' },
          tokenRefreshBufferMs: 10000,
          rateLimitPerHour: 5000,
        },
        {
          name: 'acme-eu',
          instanceUrl: 'https://acme-eu.service-now.com',
          auth: { kind: 'basic', username: 'trunkgate.integration', password: 'sn-eu-password-value' },
          tokenRefreshBufferMs: 20000,
          rateLimitPerHour: undefined,
        },
      ],
      routes: [
        {
          match: { org: 'apac', trunkName: 'Lumen*' },
          servicenow: 'acme',
          fields: { assignment_group: 'Voice Carriers APAC', urgency: 1 },
        },
        {
          match: { trunkBaseId: '5b2e4c1a-0000-4000-8000-000000000001' },
          fields: { cmdb_ci: 'BYOC Lumen', impact: 2, u_escalate: true },
        },
        { match: { edgeName: 'edge-?-syd*' }, fields: { assignment_group: 'Sydney Site' } },
      ],
    };
    expect(config.connections).toEqual(expected);
    // Single-connection code keeps working: the first org and its instance.
    expect(config.genesys).toBe(config.connections.orgs[0]);
    expect(config.servicenow).toBe(config.connections.instances[0]);
    expect(config.monitor).toEqual({ pollIntervalMs: 45000, notifications: true });
  });

  it("accepts the README's example file as written", () => {
    const readme = fs.readFileSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../README.md'), 'utf8');
    const example = /```yaml\n(# \/etc\/trunkgate\/connections\.yaml\n[\s\S]*?)```/.exec(readme)?.[1];
    expect(example).toBeDefined();
    const names = [
      'EMEA_CLIENT_ID',
      'EMEA_CLIENT_SECRET',
      'APAC_CLIENT_ID',
      'APAC_CLIENT_SECRET',
      'ACME_SN_CLIENT_ID',
      'ACME_SN_CLIENT_SECRET',
    ];
    const config = load(example!, { ...Object.fromEntries(names.map((n) => [n, `${n.toLowerCase()}-value`])), ACME_APAC_SN_PASSWORD: 'p' });
    const { orgs, instances, routes } = config.connections;
    expect(orgs.map((o) => [o.name, o.apiUrl, o.servicenow])).toEqual([
      ['emea', 'https://api.mypurecloud.ie', 'acme'],
      ['apac', 'https://api.mypurecloud.com.au', 'acme-apac'],
    ]);
    expect(instances.map((i) => [i.name, i.auth.kind])).toEqual([
      ['acme', 'oauth-client-credentials'],
      ['acme-apac', 'basic'],
    ]);
    expect(routes.map((r) => Object.keys(r.match))).toEqual([['org', 'trunkName'], ['trunkBaseId'], ['org', 'edgeName'], ['edgeId']]);
  });

  it('overrides ${VAR:-default} from the environment, and lets an org leave out servicenow when there is one instance', () => {
    const oneInstance = `
genesys:
  - name: emea
    region: mypurecloud.ie
    clientId: \${EMEA_CLIENT_ID:-emea-client}
    clientSecret: \${EMEA_SECRET}
    requiredScopes: \${EMEA_SCOPES:-}
    loginUrl: \${EMEA_LOGIN_URL:-}
    monitor: { enabled: "\${EMEA_MONITOR:-yes}" }
servicenow:
  - name: acme
    instanceUrl: https://acme.service-now.com
    username: trunkgate
    password: \${SN_PASSWORD}
`;
    const config = load(oneInstance, {
      EMEA_SECRET: 'emea-secret-value',
      SN_PASSWORD: 'sn-password-value',
      EMEA_CLIENT_ID: 'from-env',
      EMEA_SCOPES: 'telephony:readonly, notifications',
      EMEA_MONITOR: 'off',
    });
    const org = config.connections.orgs[0]!;
    expect(org).toMatchObject({ clientId: 'from-env', servicenow: 'acme', requiredScopes: ['telephony:readonly', 'notifications'] });
    // An empty value (${VAR:-}) is a setting left out: the region's login URL applies.
    expect(org.loginUrl).toBe('https://login.mypurecloud.ie');
    expect(org.monitor.enabled).toBe(false);
    expect(config.servicenow).toMatchObject({ name: 'acme', auth: { kind: 'basic', password: 'sn-password-value' } });
  });

  it('reads a ${VAR} secret from VAR_FILE, and refuses both forms or an unreadable file by the variable', () => {
    const text = example.replace('clientSecret: ${EMEA_SECRET}', 'clientSecret: ${EMEA_SECRET:-unused-default}');
    const env = { ...secrets, ...snPasswordFile, EMEA_SECRET: undefined, EMEA_SECRET_FILE: '/run/secrets/emea' };
    const withFile = { ...files, '/run/secrets/emea': 'emea-from-file\n' };
    expect(load(text, env, withFile).genesys.clientSecret).toBe('emea-from-file');
    expect(problems(text, { ...env, EMEA_SECRET: 'direct' }, withFile)).toEqual(['EMEA_SECRET and EMEA_SECRET_FILE are both set; use one']);
    expect(problems(text, { ...secrets, SN_EU_PASSWORD_FILE: '/run/secrets/none' })).toEqual([
      'SN_EU_PASSWORD_FILE: cannot read /run/secrets/none (ENOENT)',
      `CONNECTIONS_FILE (${FILE}): /servicenow/1 (acme-eu)/password: environment variable SN_EU_PASSWORD is not set (write \${SN_EU_PASSWORD:-default} to allow that)`,
    ]);
  });

  it('lists every problem at once, each with its YAML path and entry name', () => {
    const broken = `
genesys:
  - name: emea
    region: mypurecloud.ie
    clientId: emea-client
    clientSecret: \${EMEA_SECRET}
    requiredScopes: [telephony:readonly, telephony:plugin:all]
    rateLimitPerMinute: 0
    monitor: { enabled: maybe, pollIntervalMs: 500 }
    servicenow: acme-us
  - name: emea
    loginUrl: ftp://login.example.com
    clientId: other
    clientSecret: other-secret-value
    tokenRefreshBufferMs: 1.5
  - name: APAC_1
    region: mars.cloud
    clientId: 12
    colour: red
servicenow:
  - name: acme
    instanceUrl: https://acme.service-now.com
    clientId: sn-client
  - name: acme-eu
    instanceUrl: not a url
    rateLimitPerHour: lots
  - name: acme
    instanceUrl: https://acme2.service-now.com
    username: u
    password: sn-password-value
routes:
  - match: {}
  - match: { org: "asia*", trunkName: "Lumen*" }
    servicenow: gamma
    fields: { correlation_id: x, Assignment: y, urgency: [1] }
  - match: { edgeId: 42 }
`;
    const at = `CONNECTIONS_FILE (${FILE}):`;
    expect(problems(broken).sort()).toEqual(
      [
        `${at} /genesys/0 (emea)/clientSecret: environment variable EMEA_SECRET is not set (write \${EMEA_SECRET:-default} to allow that)`,
        `${at} /genesys/0 (emea)/requiredScopes/1: "telephony:plugin:all" is a Genesys permission (domain:entity:action), not an OAuth scope. Permissions come from the OAuth client's roles and never appear in a token's scopes; trunkgate checks them by calling the API (see README "Permissions and OAuth scopes"). Remove it; scopes look like "telephony" or "telephony:readonly"`,
        `${at} /genesys/0 (emea)/rateLimitPerMinute: must be at least 1 (got 0)`,
        `${at} /genesys/0 (emea)/monitor/enabled: must be true or false`,
        `${at} /genesys/0 (emea)/monitor/pollIntervalMs: must be at least 1000 (got 500)`,
        `${at} /genesys/0 (emea)/servicenow: names no instance of the file ("acme-us"; instances: acme, acme-eu)`,
        `${at} /genesys/1 (emea)/name: "emea" is also the name of /genesys/0; each org needs its own name`,
        `${at} /genesys/1 (emea): give region, or both loginUrl and apiUrl`,
        `${at} /genesys/1 (emea)/loginUrl: must be a http or https URL (got "ftp:")`,
        `${at} /genesys/1 (emea)/tokenRefreshBufferMs: must be a whole number`,
        `${at} /genesys/1 (emea)/servicenow: is required when the file lists several instances (acme, acme-eu)`,
        `${at} /genesys/2/name: must be 1-32 lower-case letters, digits or '-', starting with a letter`,
        `${at} /genesys/2/region: must be a Genesys Cloud region: one of mypurecloud.com, mypurecloud.ie, mypurecloud.com.au, mypurecloud.jp, mypurecloud.de, usw2.pure.cloud, cac1.pure.cloud, apne2.pure.cloud, euw2.pure.cloud, aps1.pure.cloud, use2.us-gov-pure.cloud, sae1.pure.cloud, mec1.pure.cloud, apne3.pure.cloud, euc2.pure.cloud, mxc1.pure.cloud, apse1.pure.cloud`,
        `${at} /genesys/2/clientId: must be string`,
        `${at} /genesys/2/clientSecret: is required`,
        `${at} /genesys/2/colour: is not an accepted field`,
        `${at} /genesys/2/servicenow: is required when the file lists several instances (acme, acme-eu)`,
        `${at} /servicenow/0 (acme)/clientSecret: is required when clientId is set`,
        `${at} /servicenow/1 (acme-eu)/instanceUrl: is not a valid URL`,
        `${at} /servicenow/1 (acme-eu)/rateLimitPerHour: must be a whole number`,
        `${at} /servicenow/1 (acme-eu): has no credentials: give username and password (Basic), clientId and clientSecret (OAuth client_credentials), or all four (OAuth password grant)`,
        `${at} /servicenow/2 (acme)/name: "acme" is also the name of /servicenow/0; each instance needs its own name`,
        `${at} /routes/0/match: must name at least one of org, trunkId, trunkName, trunkBaseId, edgeId, edgeName`,
        `${at} /routes/1/match/org: names no org of the file ("asia*"; orgs: emea)`,
        `${at} /routes/1/servicenow: names no instance of the file ("gamma"; instances: acme, acme-eu)`,
        `${at} /routes/1/fields/correlation_id: trunkgate sets correlation_id itself; remove it from the route`,
        `${at} /routes/1/fields/Assignment: is not a ServiceNow field name (lower-case letters, digits and _, starting with a letter)`,
        `${at} /routes/1/fields/urgency: must be string, number or boolean`,
        `${at} /routes/2/match/edgeId: must be string`,
      ].sort(),
    );
  });

  it('names the file and each YAML syntax error, and a file it cannot read', () => {
    expect(problems('genesys:\n  - name: emea\n  name: apac\n')).toEqual([
      `CONNECTIONS_FILE (${FILE}): All mapping items must start at the same column at line 3, column 1:`,
    ]);
    expect(problems('', {}, {})).toEqual([`CONNECTIONS_FILE (${FILE}): /: must be object`]);
    const unreadable = loadConfigProblems(fileEnv({ CONNECTIONS_FILE: '/etc/trunkgate/missing.yaml' }));
    expect(unreadable).toEqual(['CONNECTIONS_FILE: cannot read /etc/trunkgate/missing.yaml (ENOENT)']);
    expect(problems('genesys: []\nservicenow: []\n')).toEqual([
      `CONNECTIONS_FILE (${FILE}): /genesys: must list at least one org`,
      `CONNECTIONS_FILE (${FILE}): /servicenow: must list at least one instance`,
    ]);
  });

  it('refuses every GENESYS_* / SERVICENOW_* connection variable set beside it, naming each', () => {
    const found = problems(
      example,
      {
        ...secrets,
        ...snPasswordFile,
        GENESYS_REGION: 'mypurecloud.com',
        GENESYS_CLIENT_SECRET_FILE: '/run/secrets/genesys',
        GENESYS_REQUIRED_SCOPES: 'telephony',
        SERVICENOW_INSTANCE_URL: 'https://acme.service-now.com',
        SERVICENOW_RATE_LIMIT_PER_HOUR: '100',
        SERVICENOW_USERNAME: '',
      },
      files,
    );
    expect(found).toEqual(
      [
        'GENESYS_REGION',
        'GENESYS_CLIENT_SECRET_FILE',
        'GENESYS_REQUIRED_SCOPES',
        'SERVICENOW_INSTANCE_URL',
        'SERVICENOW_RATE_LIMIT_PER_HOUR',
      ].map((name) => `${name} is set, but CONNECTIONS_FILE describes the connections: move the setting into the file, or unset ${name}`),
    );
    // The globals that are defaults for every org are not connection variables.
    expect(() =>
      load(example, { ...secrets, ...snPasswordFile, TOKEN_REFRESH_BUFFER_MS: '5000', MONITOR_NOTIFICATIONS: 'false' }, files),
    ).not.toThrow();
  });

  it('never puts a secret in a message', () => {
    const leaky = `
genesys:
  - name: emea
    region: mypurecloud.ie
    clientId: emea-client
    clientSecret: \${EMEA_SECRET}
    monitor: { pollIntervalMs: "\${EMEA_SECRET}" }
    servicenow: acme
servicenow:
  - name: acme
    instanceUrl: https://acme.service-now.com
    password: \${SN_SECRET}
    clientSecret: ["\${SN_SECRET}"]
  - name: other
    instanceUrl: https://user:\${SN_SECRET}@other.service-now.com
    username: u
    password: \${SN_SECRET}
routes:
  - match: { org: emea }
    fields: { "\${SN_SECRET}": 1 }
    secret: \${EMEA_SECRET}
`;
    const found = problems(leaky, secrets).join('\n');
    expect(found).toContain('/genesys/0 (emea)/monitor/pollIntervalMs: must be a whole number');
    expect(found).toContain('/servicenow/0 (acme)/clientSecret: must be string');
    expect(found).toContain('/servicenow/1 (other)/instanceUrl: must not embed credentials');
    expect(found).toContain('/routes/0/secret: is not an accepted field');
    expect(found).not.toContain(secrets.EMEA_SECRET);
    expect(found).not.toContain(secrets.SN_SECRET.slice(0, 6));
    const syntax = problems('genesys:\n  - clientSecret: "emea-secret-value\n    name: x\n').join('\n');
    expect(syntax).toContain('Missing closing "quote');
    expect(syntax).not.toContain('emea-secret-value');
  });
});

function loadConfigProblems(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env, {
      requireCallerAuth: true,
      readFile: () => {
        throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
      },
    });
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('without CONNECTIONS_FILE', () => {
  it('the GENESYS_* / SERVICENOW_* variables are one org and one instance named default, as before', () => {
    const config = loadConfig(testEnv({ MONITOR_POLL_INTERVAL_MS: '20000', GENESYS_REQUIRED_SCOPES: 'telephony:readonly' }));
    expect(config.connections).toEqual(defaultConnections(config));
    expect(config.connections).toEqual({
      fromFile: false,
      orgs: [
        {
          name: 'default',
          region: undefined,
          loginUrl: 'http://127.0.0.1:9/login',
          apiUrl: 'http://127.0.0.1:9/api',
          clientId: 'genesys-client',
          clientSecret: 'genesys-secret-value',
          tokenRefreshBufferMs: 15000,
          requiredScopes: ['telephony:readonly'],
          rateLimitPerMinute: 300,
          servicenow: 'default',
          monitor: { enabled: true, pollIntervalMs: 20000, notifications: true },
        },
      ],
      instances: [
        {
          name: 'default',
          instanceUrl: 'http://127.0.0.1:9',
          auth: { kind: 'basic', username: 'integration', password: 'sn-password-value' },
          tokenRefreshBufferMs: 15000,
          rateLimitPerHour: undefined,
        },
      ],
      routes: [],
    });
    expect(config.genesys).toBe(config.connections.orgs[0]);
    expect(config.servicenow).toBe(config.connections.instances[0]);
  });

  it('keeps the ServiceNow credential rules of the variables', () => {
    const base = testEnv({ SERVICENOW_USERNAME: undefined, SERVICENOW_PASSWORD: undefined });
    const kinds = [
      { SERVICENOW_CLIENT_ID: 'c', SERVICENOW_CLIENT_SECRET: 's', SERVICENOW_USERNAME: 'u', SERVICENOW_PASSWORD: 'p' },
      { SERVICENOW_CLIENT_ID: 'c', SERVICENOW_CLIENT_SECRET: 's' },
      { SERVICENOW_USERNAME: 'u', SERVICENOW_PASSWORD: 'p' },
    ].map((vars) => loadConfig({ ...base, ...vars }).servicenow.auth.kind);
    expect(kinds).toEqual(['oauth-password', 'oauth-client-credentials', 'basic']);
    expect(loadConfigProblems({ ...base, SERVICENOW_CLIENT_SECRET: 's', SERVICENOW_PASSWORD: 'p' })).toEqual([
      'SERVICENOW_CLIENT_ID is required when SERVICENOW_CLIENT_SECRET is set',
      'SERVICENOW_USERNAME is required with SERVICENOW_PASSWORD',
    ]);
    expect(loadConfigProblems(base)).toEqual([
      'ServiceNow credentials are required: set SERVICENOW_USERNAME and SERVICENOW_PASSWORD, or SERVICENOW_CLIENT_ID and SERVICENOW_CLIENT_SECRET',
    ]);
  });
});

describe('the doctor with CONNECTIONS_FILE', () => {
  /** Runs the doctor with every check past the configuration cut off at once; returns its exit code and JSON report. */
  async function doctorJson(env: NodeJS.ProcessEnv) {
    let out = '';
    let err = '';
    const io = { stdout: { write: (t: string) => void (out += t) }, stderr: { write: (t: string) => void (err += t) } };
    const clock = new ManualClock();
    const running = runDoctor(env, ['--json'], io, { checkTimeoutMs: 1, budgetMs: 1, clock });
    await clock.advance(5);
    const code = await running;
    return { code, err, checks: (JSON.parse(out) as { checks: Array<{ name: string; status: string; detail: string }> }).checks };
  }

  function writeFile(text: string): string {
    const file = path.join(tempDataDir(), 'connections.yaml');
    fs.writeFileSync(file, text);
    return file;
  }

  it('lists the connections and knows every org and instance secret', async () => {
    const text = example.replace('region: mypurecloud.ie', 'loginUrl: http://127.0.0.1:9/login\n    apiUrl: http://127.0.0.1:9/api');
    const env = fileEnv({ ...secrets, SN_EU_PASSWORD: 'sn-eu-password-value', CONNECTIONS_FILE: writeFile(text) });
    const run = await doctorJson(env);
    expect(run.checks[1]).toEqual({
      name: 'connections',
      status: 'pass',
      detail:
        'CONNECTIONS_FILE: 2 orgs (emea, apac), 2 instances (acme, acme-eu), 3 routes; the Genesys and ServiceNow checks below probe the first org (emea) and its instance (acme)',
      fix: null,
    });
    const known = configSecrets(loadConfig(env, { requireCallerAuth: true }), env);
    for (const secret of [...Object.values(secrets), 'sn-eu-password-value']) expect(known).toContain(secret);
  });

  it('stops on a broken file with exit 78 and the problems as npm start prints them', async () => {
    const file = writeFile('genesys:\n  - name: emea\nservicenow: []\n');
    const run = await doctorJson(fileEnv({ CONNECTIONS_FILE: file }));
    expect(run.code).toBe(78);
    expect(run.checks).toEqual([
      {
        name: 'configuration',
        status: 'fail',
        detail: [
          'Invalid configuration:',
          `  - CONNECTIONS_FILE (${file}): /genesys/0 (emea)/clientId: is required`,
          `  - CONNECTIONS_FILE (${file}): /genesys/0 (emea)/clientSecret: is required`,
          `  - CONNECTIONS_FILE (${file}): /servicenow: must list at least one instance`,
          `  - CONNECTIONS_FILE (${file}): /genesys/0 (emea): give region, or both loginUrl and apiUrl`,
        ].join('\n'),
        fix: expect.any(String),
      },
    ]);
    expect(run.err).toBe(`trunkgate: ${run.checks[0]!.detail}\n`);
  });

  it('leaves the doctor as it was without the file', async () => {
    const run = await doctorJson(testEnv());
    expect(run.checks.map((c) => c.name)).not.toContain('connections');
  });
});
