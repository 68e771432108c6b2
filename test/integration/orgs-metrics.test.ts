import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type TrunkgateApp as App } from '../../src/app/create-app.js';
import { orgClient, orgTrunkIds } from '../../src/sim/genesys/index.js';
import { DEMO_USER } from '../../src/sim/servicenow/index.js';
import { startSimulators, type Simulators } from '../../src/sim/start-simulators.js';
import { apiClient } from '../support/api-client.js';
import { eventually } from '../support/eventually.js';
import { memoryLogger, tempDataDir, testConfig } from '../support/test-config.js';

/** The value of one series of `text` whose labels are exactly `labels` (any order); undefined when absent. */
function series(text: string, name: string, labels: Record<string, string>): number | undefined {
  const want = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .sort()
    .join(',');
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)\{([^}]*)\} (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    if (
      m[2]!
        .split(/,(?=[a-z_]+=")/)
        .sort()
        .join(',') === want
    )
      return Number(m[3]);
  }
  return undefined;
}

/** Every label value of `label` on the series of `name`. */
function labelValues(text: string, name: string, label: string): string[] {
  const out = new Set<string>();
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const m = new RegExp(`[{,]${label}="([^"]*)"`).exec(line);
    out.add(m ? m[1]! : '<none>');
  }
  return [...out].sort();
}

describe('metrics with two Genesys orgs and two ServiceNow instances (CONNECTIONS_FILE)', () => {
  let sims: Simulators;
  let app: App;
  let api: ReturnType<typeof apiClient>;
  const acme = orgTrunkIds('acme');
  const globex = orgTrunkIds('globex');

  beforeAll(async () => {
    sims = await startSimulators({ orgs: ['acme', 'globex'], instances: ['sn-eu', 'sn-us'] });
    const dir = tempDataDir();
    const file = path.join(dir, 'connections.yaml');
    const org = (name: string, instance: string) =>
      [
        `  - name: ${name}`,
        `    loginUrl: ${sims.genesys.url}`,
        `    apiUrl: ${sims.genesys.url}`,
        `    clientId: ${orgClient(name).clientId}`,
        `    clientSecret: ${orgClient(name).clientSecret}`,
        `    servicenow: ${instance}`,
      ].join('\n');
    const instance = (name: string) =>
      [
        `  - name: ${name}`,
        `    instanceUrl: ${sims.servicenowInstances.get(name)!.url}`,
        `    username: ${DEMO_USER.username}`,
        `    password: ${DEMO_USER.password}`,
      ].join('\n');
    fs.writeFileSync(
      file,
      ['genesys:', org('acme', 'sn-eu'), org('globex', 'sn-us'), 'servicenow:', instance('sn-eu'), instance('sn-us'), ''].join('\n'),
    );
    const config = testConfig({
      GENESYS_LOGIN_URL: undefined,
      GENESYS_API_URL: undefined,
      GENESYS_CLIENT_ID: undefined,
      GENESYS_CLIENT_SECRET: undefined,
      SERVICENOW_INSTANCE_URL: undefined,
      SERVICENOW_USERNAME: undefined,
      SERVICENOW_PASSWORD: undefined,
      CONNECTIONS_FILE: file,
      DATA_DIR: dir,
      MONITOR_POLL_INTERVAL_MS: '1000',
      INCIDENT_OPEN_AFTER_MS: '0',
    });
    app = await createApp(config, { logger: memoryLogger('warn').logger });
    api = apiClient(await app.listen(0, '127.0.0.1'));
  }, 30_000);

  afterAll(async () => {
    await app?.close();
    await sims?.close();
  });

  it('gives each org and instance its own series of the upstream, token, trunk and incident metrics', async () => {
    expect((await api.post(`/v1/orgs/acme/actions/get-trunk`, { trunkId: acme.lumenSecondary })).status).toBe(200);
    expect((await api.post(`/v1/orgs/globex/actions/get-trunk`, { trunkId: globex.lumenSecondary })).status).toBe(200);
    expect((await api.post(`/v1/orgs/globex/actions/get-trunk`, { trunkId: globex.twilio })).status).toBe(200);
    // One org's trunk fails: its incident goes to its own instance.
    sims.genesys.control.org('acme').setTrunkState(acme.twilio, { state: 'rejected', sipCode: 403, text: 'Forbidden' });
    await eventually(() => expect(sims.servicenowInstances.get('sn-eu')!.incidents()).toHaveLength(1), { timeoutMs: 20_000 });
    const text = await eventually(
      async () => {
        const t = await app.registry.metrics();
        expect(series(t, 'trunkgate_servicenow_deliveries_total', { operation: 'create', outcome: 'delivered', connection: 'sn-eu' })).toBe(
          1,
        );
        expect(series(t, 'trunkgate_trunks', { state: 'rejected', org: 'acme' })).toBe(1);
        return t;
      },
      { timeoutMs: 20_000 },
    );

    // Upstream calls: the action's calls counted under each org, never merged into one series.
    const get = (connection: string) =>
      series(text, 'trunkgate_upstream_request_duration_seconds_count', {
        upstream: 'genesys',
        connection,
        operation: 'get-trunk.trunk',
        outcome: '2xx',
      });
    expect(get('acme')).toBe(1);
    expect(get('globex')).toBe(2);
    expect(labelValues(text, 'trunkgate_upstream_request_duration_seconds_count', 'connection')).not.toContain('<none>');
    // Every connection's pacing series exist from the start, and only the configured names appear.
    for (const [upstream, connection] of [
      ['genesys', 'acme'],
      ['genesys', 'globex'],
      ['servicenow', 'sn-eu'],
      ['servicenow', 'sn-us'],
    ])
      expect(series(text, 'trunkgate_pacing_waiting_calls', { upstream: upstream!, connection: connection! })).toBe(0);
    expect(labelValues(text, 'trunkgate_pacing_waiting_calls', 'connection')).toEqual(['acme', 'globex', 'sn-eu', 'sn-us']);

    // Tokens: each org's broker has its own refreshes and its own expiry (none overwrites the other).
    for (const connection of ['acme', 'globex']) {
      expect(
        series(text, 'trunkgate_token_refreshes_total', { upstream: 'genesys', connection, outcome: 'success' }),
      ).toBeGreaterThanOrEqual(1);
      expect(series(text, 'trunkgate_token_expiry_seconds', { upstream: 'genesys', connection })).toBeGreaterThan(0);
    }

    // Trunks and incidents per org; deliveries per instance.
    expect(series(text, 'trunkgate_trunks', { state: 'rejected', org: 'globex' })).toBe(0);
    expect(series(text, 'trunkgate_trunks', { state: 'registered', org: 'globex' })).toBeGreaterThan(0);
    expect(series(text, 'trunkgate_incidents_opened_total', { kind: 'registration_rejected', org: 'acme' })).toBe(1);
    expect(series(text, 'trunkgate_incidents_opened_total', { kind: 'registration_rejected', org: 'globex' })).toBe(0);
    expect(series(text, 'trunkgate_servicenow_deliveries_total', { operation: 'create', outcome: 'delivered', connection: 'sn-us' })).toBe(
      0,
    );
    expect(labelValues(text, 'trunkgate_trunks', 'org')).toEqual(['acme', 'globex']);
    expect(series(text, 'trunkgate_monitor_polls_total', { outcome: 'ok', org: 'globex' })).toBeGreaterThanOrEqual(1);
  }, 60_000);
});
