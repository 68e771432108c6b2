import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type TrunkgateApp } from '../../src/app/create-app.js';
import { defaultTrunkIds } from '../../src/sim/genesys/index.js';
import type { Simulators } from '../../src/sim/start-simulators.js';
import { apiClient } from '../support/api-client.js';
import { eventually } from '../support/eventually.js';
import { testDatabaseUrl, testSchema } from '../support/postgres.js';
import { startTestSims } from '../support/sims.js';
import { basicHeader, memoryLogger, testConfig, TEST_USER } from '../support/test-config.js';

const TRUNK = defaultTrunkIds.lumenPrimary;
const KEY = `trunkgate:trunk:${TRUNK}`;
const databaseUrl = testDatabaseUrl();
const stores: Array<'sqlite' | 'postgres'> = databaseUrl ? ['sqlite', 'postgres'] : ['sqlite'];

type Entry = {
  id: string;
  at: string;
  subject: string;
  kind: string;
  org: string | null;
  message: string;
  details: Record<string, unknown>;
};

describe.each(stores)('GET /v1/audit against the simulators, %s store', (storeKind) => {
  let schema: ReturnType<typeof testSchema> | undefined;
  let sims: Simulators;
  let app: TrunkgateApp;
  let api: ReturnType<typeof apiClient>;
  let baseUrl: string;
  const raw = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${baseUrl}${path}`, { headers: { authorization: basicHeader(TEST_USER.user, TEST_USER.password), ...headers } });

  beforeAll(async () => {
    const started = await startTestSims();
    sims = started.sims;
    schema = storeKind === 'postgres' ? testSchema(databaseUrl!) : undefined;
    const database = schema ? { DATABASE_URL: databaseUrl, DATABASE_SCHEMA: schema.name } : {};
    app = await createApp(
      testConfig({
        ...started.env,
        ...database,
        INCIDENT_OPEN_AFTER_MS: '0',
        INCIDENT_RESOLVE_AFTER_MS: '0',
        INCIDENT_NOTE_INTERVAL_MS: '0',
      }),
      { logger: memoryLogger('warn').logger, processMetrics: false, monitor: null },
    );
    baseUrl = await app.listen(0, '127.0.0.1');
    api = apiClient(baseUrl);
    // A trunk failing: its state change, the incident opened, the delivery and ServiceNow's answer.
    await api.post('/v1/events', { eventId: 'au-1', trunkId: TRUNK, state: 'rejected', sipCode: 403, errorText: 'Forbidden' });
    await eventually(async () => expect((await api.get('/v1/incidents')).body.incidents[0]).toMatchObject({ pendingDeliveries: 0 }));
    // Entries enough for several pages.
    for (let n = 0; n < 40; n += 1)
      await app.store.addAudit({
        at: Date.now(),
        subject: `trunkgate:trunk:filler-${n % 2}`,
        incidentId: null,
        kind: 'trunk_sighting_ignored',
        org: 'default',
        message: `filler ${n}`,
        data: { n },
      });
  });
  afterAll(async () => {
    await app?.close();
    await sims?.close();
    await schema?.drop();
  });

  it('pages the trail newest first: a cursor round trip gives every entry once, and no cursor after the last page', async () => {
    const all: Entry[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 50; page += 1) {
      const res = await api.get(`/v1/audit?limit=7${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      expect(res.body.entries.length).toBeLessThanOrEqual(7);
      all.push(...res.body.entries);
      cursor = res.body.nextCursor;
      if (cursor === null) break;
    }
    const ids = all.map((e) => Number(e.id));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    const whole = (await api.get('/v1/audit?limit=1000')).body;
    expect(whole.nextCursor).toBeNull();
    expect(whole.entries.map((e: Entry) => e.id)).toEqual(all.map((e) => e.id));
    expect((await api.get('/v1/audit')).body.entries).toHaveLength(Math.min(100, all.length));
    expect(all[0]!.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('holds the whole story of an incident, each entry with its correlation id, number and sys_id once known', async () => {
    const [incident] = (await api.get('/v1/incidents')).body.incidents;
    const { body } = await api.get(`/v1/audit?subject=${TRUNK}`);
    const kinds = (body.entries as Entry[]).map((e) => e.kind).reverse();
    expect(kinds).toEqual(expect.arrayContaining(['trunk_state_changed', 'incident_opened', 'delivery_attempt', 'delivery_answered']));
    expect(kinds.indexOf('trunk_state_changed')).toBeLessThan(kinds.indexOf('incident_opened'));
    const opened = (body.entries as Entry[]).find((e) => e.kind === 'incident_opened')!;
    expect(opened.subject).toBe(KEY);
    expect(opened.details).toMatchObject({ correlationId: KEY, number: incident.number, sysId: incident.sysId });
    expect(incident.number).toMatch(/^INC/);
    const full = (await api.get(`/v1/audit?subject=${encodeURIComponent(KEY)}`)).body.entries;
    expect(full.map((e: Entry) => e.id)).toEqual(body.entries.map((e: Entry) => e.id));
    const byNumber = (await api.get(`/v1/audit?incident=${incident.number}`)).body.entries as Entry[];
    expect(byNumber.map((e) => e.kind)).toEqual(expect.arrayContaining(['incident_opened', 'delivery_attempt', 'delivery_answered']));
    expect(byNumber.every((e) => e.details.sysId === incident.sysId)).toBe(true);
  });

  it('filters by kind, org and time', async () => {
    const answered = (await api.get('/v1/audit?kind=delivery_answered')).body.entries as Entry[];
    expect(answered.length).toBeGreaterThanOrEqual(1);
    expect(answered.every((e) => e.kind === 'delivery_answered')).toBe(true);
    expect((await api.get('/v1/audit?org=default&kind=trunk_sighting_ignored&limit=1000')).body.entries).toHaveLength(40);
    const newest = (await api.get('/v1/audit?limit=1')).body.entries[0] as Entry;
    const later = new Date(Date.parse(newest.at) + 1).toISOString();
    expect((await api.get(`/v1/audit?since=${later}`)).body.entries).toEqual([]);
    const until = (await api.get(`/v1/audit?until=${encodeURIComponent(newest.at)}&limit=1`)).body.entries[0];
    expect(until.id).toBe(newest.id);
  });

  it('records the token this replica obtained and its leadership', async () => {
    await eventually(async () => {
      const tokens = (await api.get('/v1/audit?kind=token_rotated')).body.entries as Entry[];
      expect(tokens.map((e) => e.subject)).toContain('trunkgate:credentials:genesys');
    });
    const leader = (await api.get('/v1/audit?kind=leadership_changed')).body.entries as Entry[];
    expect(leader.map((e) => [e.subject, e.details.leader])).toEqual([['trunkgate:leader:trunk-monitor', true]]);
  });

  it('refuses bad parameters with every problem named, and an unknown org with 404', async () => {
    const bad = await api.get('/v1/audit?limit=0&cursor=nope&since=yesterday&kind=party&format=xml');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation_failed');
    expect(bad.body.error.details.map((d: { parameter: string }) => d.parameter).sort()).toEqual([
      'cursor',
      'format',
      'kind',
      'limit',
      'since',
    ]);
    expect((await api.get('/v1/audit?limit=1001')).status).toBe(400);
    expect((await api.get('/v1/audit?since=2026-01-02T00:00:00Z&until=2026-01-01T00:00:00Z')).status).toBe(400);
    expect((await api.get('/v1/audit?subject=a&subject=b')).body.error.details).toEqual([
      { message: 'must be given once', parameter: 'subject' },
    ]);
    const unknown = await api.get('/v1/audit?org=nowhere');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('not_found');
  });

  it('exports NDJSON (Accept or ?format=) and CSV, one line per entry, all of them', async () => {
    const count = (await api.get('/v1/audit?limit=1000')).body.entries.length;
    const byAccept = await raw('/v1/audit', { accept: 'application/x-ndjson' });
    expect(byAccept.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
    const lines = (await byAccept.text()).trimEnd().split('\n');
    expect(lines).toHaveLength(count);
    expect(Object.keys(JSON.parse(lines[0]!))).toEqual(['id', 'at', 'subject', 'kind', 'org', 'message', 'details']);
    const byParam = await raw('/v1/audit?format=ndjson&kind=trunk_sighting_ignored&limit=5');
    expect(
      (await byParam.text())
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l).message),
    ).toEqual(['filler 39', 'filler 38', 'filler 37', 'filler 36', 'filler 35']);
    const csv = await raw('/v1/audit?format=csv&kind=trunk_sighting_ignored');
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8; header=present');
    expect(csv.headers.get('content-disposition')).toBe('attachment; filename="trunkgate-audit.csv"');
    const rows = (await csv.text()).split('\r\n');
    expect(rows[0]).toBe('id,at,subject,kind,org,message,details');
    expect(rows.filter(Boolean)).toHaveLength(41);
    expect(rows[1]).toMatch(/^\d+,\d{4}-[^,]+,trunkgate:trunk:filler-1,trunk_sighting_ignored,default,filler 39,"\{""n"":39\}"$/);
  });
});
