import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type TrunkgateApp } from '../../src/app/create-app.js';
import { defaultTrunkBaseIds, defaultTrunkIds } from '../../src/sim/genesys/index.js';
import type { Simulators } from '../../src/sim/start-simulators.js';
import { writeCallersFile } from '../support/callers-file.js';
import { eventually } from '../support/eventually.js';
import { startTestSims } from '../support/sims.js';
import { basicHeader, memoryLogger, testConfig, TEST_USER } from '../support/test-config.js';

const LUMEN = defaultTrunkIds.lumenPrimary;
const LUMEN_KEY = `trunkgate:trunkbase:${defaultTrunkBaseIds.lumen}`;
const TWILIO = defaultTrunkIds.twilio;
const TWILIO_KEY = `trunkgate:trunkbase:${defaultTrunkBaseIds.twilio}`;
const NOC_KEY = 'noc-key-0123456789abcdef';
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Maintenance windows through HTTP, with the monitor polling the Genesys simulator and incidents going
 * to the ServiceNow simulator, as a deployment runs them.
 */
describe('maintenance windows against the simulators', () => {
  let sims: Simulators;
  let app: TrunkgateApp;
  let baseUrl: string;

  const call = async (method: string, path: string, body?: unknown, auth = basicHeader(TEST_USER.user, TEST_USER.password)) => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { authorization: auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as any };
  };
  const snIncidents = (key: string) => sims.servicenow.incidents().filter((i) => i.fields.correlation_id === key);
  const audit = async (kind: string) => (await app.store.listAudit({ limit: 1000 })).filter((a) => a.kind === kind);
  const window = (scope: Record<string, unknown>, minutes = 30) =>
    call('POST', '/v1/maintenance', { scope, endsAt: iso(Date.now() + minutes * 60_000), reason: 'Lumen carrier maintenance CHG0042' });

  beforeAll(async () => {
    const started = await startTestSims();
    sims = started.sims;
    const callers = `callers:\n  - name: noc\n    apiKey: ${NOC_KEY}\n    permissions: [status:read]\n`;
    app = await createApp(
      testConfig({
        ...started.env,
        CALLERS_FILE: writeCallersFile(callers),
        MONITOR_NOTIFICATIONS: 'false',
        MONITOR_POLL_INTERVAL_MS: '1000',
        INCIDENT_OPEN_AFTER_MS: '300',
        INCIDENT_RESOLVE_AFTER_MS: '300',
        INCIDENT_NOTE_INTERVAL_MS: '0',
      }),
      { logger: memoryLogger('warn').logger, processMetrics: false },
    );
    baseUrl = await app.listen(0, '127.0.0.1');
    await eventually(async () => expect((await call('GET', `/v1/trunks/${LUMEN}`)).body).toMatchObject({ state: 'registered' }));
  });
  afterAll(async () => {
    await app?.close();
    await sims?.close();
  });

  it('creates (201), lists, refuses (400, 403, 404) and ends (204) windows', async () => {
    const created = await window({ edgeId: 'edge-none' });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.any(String),
      scope: { edgeId: 'edge-none', org: 'default' },
      startsAt: expect.any(String),
      endsAt: expect.any(String),
      reason: 'Lumen carrier maintenance CHG0042',
      createdBy: `basic:${TEST_USER.user}`,
      active: true,
    });
    const listed = await call('GET', '/v1/maintenance');
    expect(listed.status).toBe(200);
    expect(listed.body.windows).toContainEqual(created.body);
    // A read-only caller sees the windows but may not create or end one.
    const noc = `Bearer ${NOC_KEY}`;
    expect((await call('GET', '/v1/maintenance', undefined, noc)).status).toBe(200);
    const refused = await call('POST', '/v1/maintenance', { scope: { all: true }, endsAt: iso(Date.now() + 60_000), reason: 'x' }, noc);
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({ code: 'forbidden', message: 'The caller "noc" lacks the permission maintenance:write' });
    expect((await call('DELETE', `/v1/maintenance/${created.body.id}`, undefined, noc)).status).toBe(403);

    const bad = await call('POST', '/v1/maintenance', { scope: { trunkId: 'a', edgeId: 'b' }, endsAt: 'tomorrow', reason: '' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation_failed');
    expect(bad.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['/endsAt', '/reason']);
    const oneOf = await call('POST', '/v1/maintenance', {
      scope: { trunkId: 'a', edgeId: 'b' },
      endsAt: iso(Date.now() + 60_000),
      reason: 'r',
    });
    expect(oneOf.body.error.details).toEqual([
      { path: '/scope', message: 'give exactly one of trunkId, trunkBaseId, edgeId or "all": true' },
    ]);
    const past = await call('POST', '/v1/maintenance', { scope: { all: true }, endsAt: iso(Date.now() - 60_000), reason: 'r' });
    expect(past.body.error.details).toEqual([{ path: '/endsAt', message: 'must be in the future' }]);
    expect(
      (await call('POST', '/v1/maintenance', { scope: { all: true, org: 'nope' }, endsAt: iso(Date.now() + 60_000), reason: 'r' })).status,
    ).toBe(404);

    expect((await call('DELETE', `/v1/maintenance/${created.body.id}`)).status).toBe(204);
    expect((await call('DELETE', `/v1/maintenance/${created.body.id}`)).status).toBe(404);
    expect((await call('DELETE', '/v1/maintenance/no-such-window')).body.error.code).toBe('not_found');
    expect((await call('GET', '/v1/maintenance')).body.windows).not.toContainEqual(expect.objectContaining({ id: created.body.id }));
  });

  it('a trunk rejected inside a window opens no incident and shows the window; ended early, the failure opens one', async () => {
    const { body: w } = await window({ trunkBaseId: defaultTrunkBaseIds.lumen });
    sims.genesys.control.setTrunkState(LUMEN, { state: 'rejected', sipCode: 403 });
    const suppressed = await eventually(async () => {
      const entries = await audit('incident_suppressed');
      expect(entries).toHaveLength(1);
      return entries[0]!;
    });
    expect(suppressed).toMatchObject({ subject: LUMEN_KEY, org: 'default', data: { windowId: w.id, trunkId: LUMEN } });
    const trunk = (await call('GET', `/v1/trunks/${LUMEN}`)).body;
    expect(trunk).toMatchObject({ state: 'rejected', incident: null, maintenance: { id: w.id, endsAt: w.endsAt } });
    expect((await call('GET', '/v1/trunks')).body.trunks.find((t: { id: string }) => t.id === LUMEN).maintenance).toEqual({
      id: w.id,
      endsAt: w.endsAt,
    });
    // Several polls later: still no incident, still one audit entry.
    let polls = 0;
    app.monitor!.on('poll', () => (polls += 1));
    await eventually(() => expect(polls).toBeGreaterThanOrEqual(3), { timeoutMs: 10_000 });
    expect(snIncidents(LUMEN_KEY)).toEqual([]);
    expect(await audit('incident_suppressed')).toHaveLength(1);

    expect((await call('DELETE', `/v1/maintenance/${w.id}`)).status).toBe(204);
    await eventually(() => expect(snIncidents(LUMEN_KEY)).toHaveLength(1));
    expect((await call('GET', `/v1/trunks/${LUMEN}`)).body.maintenance).toBeUndefined();
    sims.genesys.control.setTrunkState(LUMEN, { state: 'registered' });
  });

  it('an incident open when a window starts stays open and gets a work note', async () => {
    sims.genesys.control.setTrunkState(TWILIO, { state: 'dropped' });
    await eventually(() => expect(snIncidents(TWILIO_KEY)).toHaveLength(1));
    const { body: w } = await window({ trunkId: TWILIO }, 10);
    const notes = () => snIncidents(TWILIO_KEY)[0]!.journal.filter((j) => j.value.includes(`Maintenance window ${w.id} started`));
    await eventually(() => expect(notes()).toHaveLength(1));
    expect(notes()[0]!.value).toContain('This incident stays open');
    expect(snIncidents(TWILIO_KEY)[0]!.fields.state).not.toBe('6');
    expect((await audit('maintenance_started')).find((a) => a.data?.windowId === w.id)).toMatchObject({ org: 'default' });
    expect((await call('DELETE', `/v1/maintenance/${w.id}`)).status).toBe(204);
    await eventually(() =>
      expect(snIncidents(TWILIO_KEY)[0]!.journal.filter((j) => j.value.includes(`Maintenance window ${w.id} ended`))).toHaveLength(1),
    );
    sims.genesys.control.setTrunkState(TWILIO, { state: 'registered' });
  });
});
