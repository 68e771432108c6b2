import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultTrunkBaseIds, defaultTrunkIds } from '../../src/sim/genesys/index.js';
import type { Simulators } from '../../src/sim/start-simulators.js';
import { apiClient } from '../support/api-client.js';
import { startProcess, type AppProcess } from '../support/app-process.js';
import { eventually } from '../support/eventually.js';
import { startTestSims } from '../support/sims.js';
import { tempDataDir, testEnv } from '../support/test-config.js';

const TRUNK = defaultTrunkIds.acmePbx;
// The event names the trunk's base, so the incident is the carrier's whether or not the monitor's first poll came first.
const BASE = { id: defaultTrunkBaseIds.acmePbx, name: 'BYOC Premises - Acme PBX' };
const KEY = `trunkgate:trunkbase:${BASE.id}`;

/** A pass-through proxy to ServiceNow that can let an incident create reach ServiceNow and then never answer. */
async function holdingProxy(target: string) {
  let hold = true;
  let heldCreate!: () => void;
  const created = new Promise<void>((resolve) => (heldCreate = resolve));
  const server = http.createServer((req, res) => {
    const upstream = http.request(new URL(req.url ?? '/', target), { method: req.method, headers: req.headers }, (answer) => {
      if (hold && req.method === 'POST' && req.url?.startsWith('/api/now/table/incident')) {
        // ServiceNow has created it; the answer is lost with the process that asked.
        answer.resume();
        answer.on('end', heldCreate);
        return;
      }
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    created,
    release: () => void (hold = false),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('incident delivery survives kill -9 of a real trunkgate process', () => {
  let sims: Simulators | undefined;
  const procs: AppProcess[] = [];
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const p of procs.splice(0)) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    for (const c of cleanups.splice(0)) await c();
    await sims?.close();
  });

  async function start(env: NodeJS.ProcessEnv): Promise<{ proc: AppProcess; api: ReturnType<typeof apiClient> }> {
    const proc = await startProcess('test/support/serve-app.ts', env);
    procs.push(proc);
    return { proc, api: apiClient(proc.url) };
  }

  async function kill9(proc: AppProcess): Promise<void> {
    proc.child.kill('SIGKILL');
    expect(await proc.exited).toBeNull();
  }

  const pending = async (api: ReturnType<typeof apiClient>) =>
    (await api.get('/v1/incidents')).body.incidents as Array<{
      pendingDeliveries: number;
      lastDeliveryError: string | null;
      sysId: string | null;
    }>;

  it('ServiceNow refusing connections, kill -9, ServiceNow back, restart: exactly one incident', async () => {
    const started = await startTestSims();
    sims = started.sims;
    const env = testEnv({ ...started.env, DATA_DIR: tempDataDir(), INCIDENT_OPEN_AFTER_MS: '0', LOG_LEVEL: 'warn' });
    await sims.servicenow.control.outage({ mode: 'refused' });
    const first = await start(env);
    await first.api.post('/v1/events', {
      eventId: 'pbx-1',
      trunkId: TRUNK,
      trunkBase: BASE,
      state: 'rejected',
      sipCode: 403,
      errorText: 'Forbidden',
    });
    await eventually(async () =>
      expect((await pending(first.api))[0]).toMatchObject({
        pendingDeliveries: 1,
        lastDeliveryError: expect.stringContaining('cannot be reached'),
      }),
    );
    await kill9(first.proc);

    await sims.servicenow.control.restore();
    const second = await start(env);
    await eventually(
      async () => expect((await pending(second.api))[0]).toMatchObject({ pendingDeliveries: 0, sysId: expect.any(String) }),
      { timeoutMs: 20_000 },
    );
    // The event was processed before the crash: sending it again changes nothing.
    expect(
      (await second.api.post('/v1/events', { eventId: 'pbx-1', trunkId: TRUNK, trunkBase: BASE, state: 'rejected', sipCode: 403 })).body
        .duplicate,
    ).toBe(true);
    expect(sims.servicenow.incidents().filter((i) => i.fields.correlation_id === KEY)).toHaveLength(1);
    expect(sims.servicenow.stats().incidentsCreated).toBe(1);
  });

  it('kill -9 after ServiceNow created the incident but before trunkgate recorded it: the restart adopts it, no duplicate', async () => {
    const started = await startTestSims();
    sims = started.sims;
    const proxy = await holdingProxy(sims.servicenow.url);
    cleanups.push(proxy.close);
    const env = testEnv({
      ...started.env,
      SERVICENOW_INSTANCE_URL: proxy.url,
      DATA_DIR: tempDataDir(),
      INCIDENT_OPEN_AFTER_MS: '0',
      LOG_LEVEL: 'warn',
    });
    const first = await start(env);
    await first.api.post('/v1/events', { eventId: 'pbx-2', trunkId: TRUNK, trunkBase: BASE, state: 'dropped' });
    await proxy.created;
    expect(sims.servicenow.incidents().filter((i) => i.fields.correlation_id === KEY)).toHaveLength(1);
    await kill9(first.proc);

    proxy.release();
    const second = await start(env);
    const [incident] = await eventually(async () => {
      const list = await pending(second.api);
      expect(list[0]).toMatchObject({ pendingDeliveries: 0, sysId: expect.any(String) });
      return list;
    });
    const inServiceNow = sims.servicenow.incidents().filter((i) => i.fields.correlation_id === KEY);
    expect(inServiceNow).toHaveLength(1);
    expect(incident!.sysId).toBe(inServiceNow[0]!.sysId);
    expect(sims.servicenow.stats().incidentsCreated).toBe(1);
  });

  it('kill -9 after ServiceNow took a work note but before trunkgate recorded it: the restart finds it in the journal, one note', async () => {
    const started = await startTestSims();
    sims = started.sims;
    const sn = sims.servicenow;
    // A trunk only this test reports (the monitor's polls never judge it), noted on every change.
    const trunkId = 'crash-note-trunk';
    const env = testEnv({
      ...started.env,
      DATA_DIR: tempDataDir(),
      INCIDENT_OPEN_AFTER_MS: '0',
      INCIDENT_NOTE_INTERVAL_MS: '0',
      LOG_LEVEL: 'warn',
    });
    const first = await start(env);
    await first.api.post('/v1/events', { eventId: 'note-1', trunkId, state: 'rejected', sipCode: 403, errorText: 'Forbidden' });
    await eventually(async () => expect((await pending(first.api))[0]).toMatchObject({ pendingDeliveries: 0, sysId: expect.any(String) }));
    const journalLookups: string[] = [];
    sn.control.on(
      'request',
      (e) => e.path.endsWith('/sys_journal_field') && journalLookups.push(new URLSearchParams(e.query).get('sysparm_query') ?? ''),
    );

    // ServiceNow applies the note; its answer is kept back, and trunkgate dies waiting for it.
    sn.control.holdAnswers({ method: 'PATCH', path: '/api/now/table/incident/' });
    const held = once(sn.control, 'held');
    await first.api.post('/v1/events', { eventId: 'note-2', trunkId, state: 'rejected', sipCode: 401, errorText: 'Unauthorized' });
    await held;
    const notes = () =>
      sn
        .incidents()[0]!
        .journal.filter((j) => j.field === 'work_notes')
        .map((j) => j.value);
    const marker = /\[trunkgate:d:[0-9a-z]+-\d+\]$/.exec(notes().at(-1)!)?.[0];
    expect(marker).toBeDefined();
    expect(notes().at(-1)).toContain('401');
    await kill9(first.proc);
    sn.control.releaseAnswers();

    const second = await start(env);
    await eventually(async () => expect((await pending(second.api))[0]).toMatchObject({ pendingDeliveries: 0 }), { timeoutMs: 20_000 });
    expect(notes().filter((n) => n.endsWith(marker!))).toHaveLength(1);
    expect(journalLookups).toEqual([`element_id=${sn.incidents()[0]!.sysId}^element=work_notes^valueLIKE${marker}`]);
    expect(sn.stats().incidentsCreated).toBe(1);
  });

  it('SIGTERM while ServiceNow is down exits promptly and keeps the delivery for the next start', async () => {
    const started = await startTestSims();
    sims = started.sims;
    const env = testEnv({
      ...started.env,
      DATA_DIR: tempDataDir(),
      INCIDENT_OPEN_AFTER_MS: '0',
      LOG_LEVEL: 'warn',
      SHUTDOWN_GRACE_MS: '2000',
    });
    await sims.servicenow.control.outage({ mode: '503' });
    const first = await start(env);
    await first.api.post('/v1/events', { eventId: 'pbx-3', trunkId: TRUNK, trunkBase: BASE, state: 'rejected', sipCode: 403 });
    await eventually(async () => expect((await pending(first.api))[0]?.lastDeliveryError).toBeTruthy());
    first.proc.child.kill('SIGTERM');
    expect(await first.proc.exited).toBe(0);

    await sims.servicenow.control.restore();
    const second = await start(env);
    await eventually(async () => expect((await pending(second.api))[0]).toMatchObject({ pendingDeliveries: 0 }), { timeoutMs: 20_000 });
    expect(sims.servicenow.incidents().filter((i) => i.fields.correlation_id === KEY)).toHaveLength(1);
  });
});
