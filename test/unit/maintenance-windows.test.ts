import { afterEach, describe, expect, it } from 'vitest';
import { covers, episodeStart, subjectCover } from '../../src/maintenance/maintenance-rules.js';
import type { MaintenanceWindow } from '../../src/maintenance/maintenance-store.js';
import { incidentHarness, KEY, TRUNK } from '../support/incident-harness.js';

type Harness = ReturnType<typeof incidentHarness>;
let h: Harness;
afterEach(async () => h?.stop());

const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

function start(options: Parameters<typeof incidentHarness>[0] = {}): Harness {
  h = incidentHarness(options);
  h.start();
  return h;
}

/** A window over the test trunk from now for `ms`. */
const windowOnTrunk = (ms: number, scope: Record<string, unknown> = { trunkId: TRUNK.trunkId }) =>
  h.incidents.maintenance.create({ scope, endsAt: iso(h.clock.now() + ms), reason: 'Lumen carrier maintenance CHG0042' }, 'noc');

const auditOf = async (kind: string) => (await h.store.listAudit({ limit: 1000 })).filter((a) => a.kind === kind);

describe('maintenance windows: suppression', () => {
  it('a trunk rejected inside a window opens no incident, shows the window, and is audited once per failure episode', async () => {
    start();
    await h.see('registered');
    const w = await windowOnTrunk(30 * MIN);
    await h.see('rejected');
    await h.clock.advance(2 * MIN);
    await h.see('rejected', { sipCode: 403, errorText: 'Forbidden again' });
    await h.see('dropped');
    await h.clock.advance(2 * MIN);
    expect(h.incidentsFor()).toHaveLength(0);
    expect(await h.store.listIncidents({ limit: 10 })).toEqual([]);
    const trunk = await h.watchdog.status.getTrunk(TRUNK.trunkId);
    expect(trunk).toMatchObject({ state: 'dropped', incident: null, maintenance: { id: w.id, endsAt: iso(w.endsAt) } });
    expect((await h.watchdog.status.listTrunks())[0]!.maintenance).toEqual({ id: w.id, endsAt: iso(w.endsAt) });
    const suppressed = await auditOf('incident_suppressed');
    expect(suppressed).toHaveLength(1);
    expect(suppressed[0]).toMatchObject({ subject: KEY, org: 'default', data: { windowId: w.id, trunkId: TRUNK.trunkId } });
    // A new episode (healthy for longer than INCIDENT_OPEN_AFTER_MS, then failing again) is audited again.
    await h.see('registered');
    await h.clock.advance(MIN);
    await h.see('rejected');
    await h.clock.advance(MIN);
    expect(await auditOf('incident_suppressed')).toHaveLength(2);
    expect(h.incidentsFor()).toHaveLength(0);
  });

  it('a failure still present when the window ends opens its incident INCIDENT_OPEN_AFTER_MS after the end, without a new sighting', async () => {
    start();
    await windowOnTrunk(5 * MIN);
    await h.see('rejected');
    await h.clock.advance(5 * MIN);
    expect(h.incidentsFor()).toHaveLength(0);
    await h.clock.advance(20_000);
    expect(h.incidentsFor()).toHaveLength(0);
    await h.clock.advance(12_000);
    expect(h.incidentsFor()).toHaveLength(1);
    const [opened] = await auditOf('incident_opened');
    expect(opened!.message).toContain('failing since 2026-01-01 12:05:00 UTC');
    expect((await h.watchdog.status.getTrunk(TRUNK.trunkId))!.maintenance).toBeUndefined();
  });

  it('a window ended early (DELETE) makes a failure new from then', async () => {
    start();
    const w = await windowOnTrunk(60 * MIN);
    await h.see('rejected');
    await h.clock.advance(10 * MIN);
    expect(await h.incidents.maintenance.end(w.id)).toBe(true);
    expect(await h.incidents.maintenance.end(w.id)).toBe(false);
    expect(await h.incidents.maintenance.current()).toEqual([]);
    await h.clock.advance(20_000);
    expect(h.incidentsFor()).toHaveLength(0);
    await h.clock.advance(12_000);
    expect(h.incidentsFor()).toHaveLength(1);
  });

  it('a future window suppresses nothing until it starts', async () => {
    start();
    await h.incidents.maintenance.create(
      { scope: { all: true }, startsAt: iso(h.clock.now() + 10 * MIN), endsAt: iso(h.clock.now() + 20 * MIN), reason: 'later' },
      'noc',
    );
    await h.see('rejected');
    await h.clock.advance(MIN);
    expect(h.incidentsFor()).toHaveLength(1);
    expect(await auditOf('incident_suppressed')).toEqual([]);
  });

  it('a trunk-base incident opens when a failing trunk of the base is outside the window', async () => {
    start();
    await h.incidents.maintenance.create(
      { scope: { edgeId: 'e-nyc' }, endsAt: iso(h.clock.now() + 30 * MIN), reason: 'Edge upgrade' },
      'noc',
    );
    const base = { id: 'tb-lumen', name: 'Lumen' };
    await h.see('rejected', { trunkBase: base });
    await h.see('rejected', { trunkId: 't-chi', edge: { id: 'e-chi', name: 'edge-chi-01' }, trunkBase: base });
    await h.clock.advance(MIN);
    expect(h.incidentsFor('trunkgate:trunkbase:tb-lumen')).toHaveLength(1);
  });

  it('an incident open when a window starts stays open and gets a work note when it starts and when it ends', async () => {
    start();
    await h.see('rejected');
    await h.clock.advance(MIN);
    const [record] = h.incidentsFor();
    expect(record).toBeDefined();
    const w = await h.incidents.maintenance.create(
      { scope: { all: true }, startsAt: iso(h.clock.now() + MIN), endsAt: iso(h.clock.now() + 11 * MIN), reason: 'carrier work' },
      'noc',
    );
    await h.clock.advance(30_000);
    expect(h.servicenow.notes(record!.sys_id!).join('\n')).not.toContain(w.id);
    await h.clock.advance(40_000);
    const started = h.servicenow.notes(record!.sys_id!).filter((n) => n.includes(`Maintenance window ${w.id} started`));
    expect(started).toHaveLength(1);
    expect(started[0]).toContain('until 2026-01-01 12:12:00 UTC');
    expect(started[0]).toContain('stays open');
    expect(await auditOf('maintenance_started')).toMatchObject([{ org: 'default', data: { windowId: w.id } }]);
    await h.clock.advance(10 * MIN);
    expect(h.servicenow.notes(record!.sys_id!).filter((n) => n.includes(`Maintenance window ${w.id} ended`))).toHaveLength(1);
    expect(await auditOf('maintenance_ended')).toMatchObject([{ org: 'default', data: { windowId: w.id } }]);
    expect((await h.store.listIncidents({ limit: 10 }))[0]).toMatchObject({ open: true });
    await h.clock.advance(10 * MIN);
    expect(await auditOf('maintenance_started')).toHaveLength(1);
    expect(await auditOf('maintenance_ended')).toHaveLength(1);
  });
});

describe('maintenance windows: announcements', () => {
  it('a future window cancelled before it starts is announced once, as cancelled, and never as started', async () => {
    start();
    const w = await h.incidents.maintenance.create(
      { scope: { all: true }, startsAt: iso(h.clock.now() + 10 * MIN), endsAt: iso(h.clock.now() + 20 * MIN), reason: 'later' },
      'noc',
    );
    await h.clock.advance(MIN);
    expect(await h.incidents.maintenance.end(w.id)).toBe(true);
    await h.clock.advance(30 * MIN);
    expect(await auditOf('maintenance_started')).toEqual([]);
    const ended = await auditOf('maintenance_ended');
    expect(ended).toHaveLength(1);
    expect(ended[0]!.message).toContain('cancelled before it started');
  });
});

describe('maintenance windows: input', () => {
  it('takes a start in the past as now, defaults the org, and refuses what cannot be a window', async () => {
    start();
    const now = h.clock.now();
    const w = await h.incidents.maintenance.create(
      { scope: { trunkBaseId: 'tb-1' }, startsAt: iso(now - 3_600_000), endsAt: iso(now + MIN), reason: 'r' },
      'noc',
    );
    expect(w).toMatchObject({ startsAt: now, scope: { kind: 'trunkBase', id: 'tb-1', org: 'default' }, createdBy: 'noc' });
    const refused = (body: Parameters<Harness['incidents']['maintenance']['create']>[0]) =>
      h.incidents.maintenance.create(body, 'noc').then(
        () => null,
        (err: { code: string; details: unknown }) => ({ code: err.code, details: err.details }),
      );
    expect(await refused({ scope: {}, endsAt: iso(now + MIN), reason: 'r' })).toEqual({
      code: 'validation_failed',
      details: [{ path: '/scope', message: 'give exactly one of trunkId, trunkBaseId, edgeId or "all": true' }],
    });
    expect(await refused({ scope: { trunkId: 'a', all: true }, endsAt: iso(now + MIN), reason: 'r' })).toMatchObject({
      details: [{ path: '/scope' }],
    });
    expect(await refused({ scope: { all: true }, endsAt: iso(now - 1), reason: 'r' })).toMatchObject({
      details: [{ path: '/endsAt', message: 'must be in the future' }],
    });
    expect(await refused({ scope: { all: true }, startsAt: iso(now + 2 * MIN), endsAt: iso(now + MIN), reason: 'r' })).toMatchObject({
      details: [{ path: '/endsAt', message: 'must be after startsAt' }],
    });
    expect(await refused({ scope: { all: true }, endsAt: iso(now + 8 * 86_400_000), reason: 'r' })).toMatchObject({
      details: [{ path: '/endsAt', message: 'must be at most 7 days after startsAt' }],
    });
    expect(await refused({ scope: { all: true, org: 'other' }, endsAt: iso(now + MIN), reason: 'r' })).toMatchObject({ code: 'not_found' });
  });
});

describe('maintenance rules', () => {
  const window = (over: Partial<MaintenanceWindow>): MaintenanceWindow => ({
    id: 'w',
    scope: { kind: 'all', id: null, org: null },
    startsAt: 100,
    endsAt: 200,
    reason: 'r',
    createdBy: 'c',
    createdAt: 0,
    startNotedAt: null,
    endNotedAt: null,
    ...over,
  });
  const trunk = { org: 'a', trunkId: 't1', trunkBaseId: 'b1', edgeId: 'e1' };

  it('matches a scope by its kind and org', () => {
    expect(covers({ kind: 'all', id: null, org: null }, trunk)).toBe(true);
    expect(covers({ kind: 'all', id: null, org: 'b' }, trunk)).toBe(false);
    expect(covers({ kind: 'trunk', id: 't1', org: 'a' }, trunk)).toBe(true);
    expect(covers({ kind: 'trunk', id: 't1', org: 'b' }, trunk)).toBe(false);
    expect(covers({ kind: 'trunkBase', id: 'b1', org: 'a' }, trunk)).toBe(true);
    expect(covers({ kind: 'edge', id: 'e2', org: 'a' }, trunk)).toBe(false);
  });

  it('suppresses while the window is in force (end exclusive) and moves the episode start to its end afterwards', () => {
    const ws = [window({})];
    expect(subjectCover(ws, [trunk], 99)).toEqual({ window: null, endedAt: null });
    expect(subjectCover(ws, [trunk], 100).window?.id).toBe('w');
    expect(subjectCover(ws, [trunk], 199).window?.id).toBe('w');
    expect(subjectCover(ws, [trunk], 200)).toEqual({ window: null, endedAt: 200 });
    expect(episodeStart(50, subjectCover(ws, [trunk], 250))).toBe(200);
    expect(episodeStart(220, subjectCover(ws, [trunk], 250))).toBe(220);
    expect(subjectCover(ws, [], 150)).toEqual({ window: null, endedAt: null });
  });
});
