import { afterEach, describe, expect, it } from 'vitest';
import { healthOfTrunk } from '../../src/trunks/trunk-health.js';
import type { TrunkSighting } from '../../src/trunks/trunk-sighting.js';
import { normaliseTrunk } from '../../src/trunks/trunk-state.js';
import { incidentHarness } from '../support/incident-harness.js';

type Harness = ReturnType<typeof incidentHarness>;
let h: Harness;
afterEach(async () => h?.stop());

const BASE = { id: 'b-lumen', name: 'BYOC Carrier - Lumen' };
const BASE_KEY = 'trunkgate:trunkbase:b-lumen';
const EDGES = {
  'lumen-nyc': { name: 'Lumen SIP - NYC', edge: { id: 'e-nyc', name: 'edge-nyc-01' } },
  'lumen-chi': { name: 'Lumen SIP - CHI', edge: { id: 'e-chi', name: 'edge-chi-01' } },
  'lumen-dal': { name: 'Lumen SIP - DAL', edge: { id: 'e-dal', name: 'edge-dal-01' } },
} as const;
type TrunkId = keyof typeof EDGES;

function start(options: Parameters<typeof incidentHarness>[0] = {}): Harness {
  h = incidentHarness(options);
  h.start();
  return h;
}

/** A poll of one of the Lumen carrier's trunks (one per Edge), with its trunk base. */
function see(trunkId: TrunkId, state: TrunkSighting['state'], extra: Partial<TrunkSighting> = {}) {
  return h.ingest.record({
    trunkId,
    ...EDGES[trunkId],
    trunkBase: BASE,
    proxyAddress: 'sip-a.lumen.example.net:5061',
    state,
    signal: state === 'unknown' ? null : 'registration',
    sipCode: state === 'rejected' ? 403 : null,
    errorText: state === 'rejected' ? 'Forbidden' : state === 'dropped' ? 'No response to REGISTER' : null,
    connected: state !== 'dropped',
    registered: state === 'registered',
    stateTime: null,
    source: 'poll',
    observedAt: h.clock.now(),
    ...extra,
  });
}

describe('Watchdog: one carrier failing on several Edges (INCIDENT_GROUP_BY=trunkBase, the default)', () => {
  it('opens one incident for the trunk base that lists every failing trunk and Edge with its SIP answer', async () => {
    start();
    for (const id of ['lumen-nyc', 'lumen-chi', 'lumen-dal'] as const) await see(id, 'registered');
    await see('lumen-nyc', 'rejected');
    await h.clock.advance(1_000);
    await see('lumen-chi', 'rejected');
    await h.clock.advance(30_000);
    const created = h.incidentsFor(BASE_KEY);
    expect(h.servicenow.records.size).toBe(1);
    expect(created[0]!.short_description).toBe(
      'SIP trunk base BYOC Carrier - Lumen: registration rejected on 2 of 3 trunks (SIP 403 Forbidden)',
    );
    for (const words of [
      'Trunk base (carrier): BYOC Carrier - Lumen (id b-lumen)',
      'Affected trunks (2 of 3):',
      '- Lumen SIP - NYC (id lumen-nyc) on Edge edge-nyc-01 (id e-nyc): registration rejected (SIP 403 Forbidden) at proxy sip-a.lumen.example.net:5061',
      '- Lumen SIP - CHI (id lumen-chi) on Edge edge-chi-01 (id e-chi): registration rejected (SIP 403 Forbidden)',
    ]) {
      expect(created[0]!.description).toContain(words);
    }
    expect(created[0]!.description).not.toContain('lumen-dal');
    const [incident] = await h.store.listIncidents({ limit: 10 });
    expect(incident).toMatchObject({
      correlationId: BASE_KEY,
      trunkId: 'lumen-nyc',
      trunkBaseId: 'b-lumen',
      trunkIds: ['lumen-nyc', 'lumen-chi'],
      kind: 'registration_rejected',
    });
  });

  it('adds an Edge that fails later and tells it in a work note; one that recovers is a note too, and nothing resolves while one still fails', async () => {
    start({ settings: { noteIntervalMs: 0 } });
    await see('lumen-nyc', 'rejected');
    await see('lumen-chi', 'registered');
    await h.clock.advance(31_000);
    const sysId = h.incidentsFor(BASE_KEY)[0]!.sys_id!;
    await see('lumen-chi', 'dropped');
    await h.settle();
    expect(h.servicenow.notes(sysId).at(-1)).toContain(
      '- Lumen SIP - CHI (id lumen-chi) on Edge edge-chi-01 (id e-chi): registration dropped (No response to REGISTER)',
    );
    expect((await h.store.listIncidents({ limit: 1 }))[0]!.trunkIds).toEqual(['lumen-nyc', 'lumen-chi']);

    await see('lumen-nyc', 'registered');
    await h.settle();
    expect(h.servicenow.notes(sysId).at(-1)).toContain('- Lumen SIP - NYC (id lumen-nyc) on Edge edge-nyc-01 (id e-nyc): registered');
    await h.clock.advance(600_000);
    expect(h.incidentsFor(BASE_KEY)[0]!.state).toBe('1'); // CHI still fails
    await see('lumen-chi', 'registered');
    await h.clock.advance(299_000);
    expect(h.incidentsFor(BASE_KEY)[0]!.state).toBe('1'); // healthy for less than INCIDENT_RESOLVE_AFTER_MS
    await h.clock.advance(2_000);
    const [resolved] = h.incidentsFor(BASE_KEY);
    expect(resolved).toMatchObject({ state: '6', close_code: 'Solution provided' });
    expect(resolved!.close_notes).toContain('SIP trunk base BYOC Carrier - Lumen has been healthy since');
    expect(h.servicenow.records.size).toBe(1);
  });

  it('counts a trunk as healthy only when it is: an unknown one holds the resolve back', async () => {
    start();
    await see('lumen-nyc', 'rejected');
    await see('lumen-chi', 'registered');
    await h.clock.advance(31_000);
    await see('lumen-nyc', 'registered');
    await see('lumen-chi', 'unknown');
    await h.clock.advance(600_000);
    expect(h.incidentsFor(BASE_KEY)[0]!.state).toBe('1');
    await see('lumen-chi', 'registered');
    await h.clock.advance(301_000);
    expect(h.incidentsFor(BASE_KEY)[0]!.state).toBe('6');
  });

  it("resolves as gone once none of the base's trunks is listed any more; a gone trunk leaves the base", async () => {
    start();
    await see('lumen-nyc', 'rejected');
    await see('lumen-chi', 'rejected');
    await h.clock.advance(31_000);
    await h.ingest.listed(['lumen-chi']);
    await h.ingest.listed(['lumen-chi']);
    await h.settle();
    expect(await h.store.getTrunk('lumen-nyc')).toMatchObject({ state: 'unknown', goneAt: expect.any(Number) });
    expect(h.incidentsFor(BASE_KEY)[0]!.state).toBe('1');
    await h.ingest.listed([]);
    await h.ingest.listed([]);
    await h.settle();
    const [inc] = h.incidentsFor(BASE_KEY);
    expect(inc).toMatchObject({ state: '6' });
    expect(inc!.close_notes).toContain('SIP trunk base BYOC Carrier - Lumen is no longer listed by Genesys Cloud');
    // Listed again (re-created in Genesys): it is a member once more.
    await see('lumen-nyc', 'registered');
    expect((await h.store.getTrunk('lumen-nyc'))!.goneAt).toBeNull();
  });

  it('keeps serving a per-trunk incident opened before the upgrade until it is resolved: no duplicate, no orphan', async () => {
    start();
    await see('lumen-chi', 'registered');
    // An incident of trunkgate's earlier versions (one per trunk), still open.
    await h.store.insertIncident({
      id: 'legacy',
      correlationId: 'trunkgate:trunk:lumen-nyc',
      trunkId: 'lumen-nyc',
      trunkBaseId: null,
      kind: 'registration_rejected',
      open: true,
      openedAt: h.clock.now(),
      resolvedAt: null,
      reopenedAt: null,
      reopenCount: 0,
      sysId: 'sys-legacy',
      number: 'INC0000099',
      servicenowState: '1',
      lastNoteAt: h.clock.now(),
      changesSinceNote: 0,
      updatedAt: h.clock.now(),
      org: 'default',
      servicenowInstance: 'default',
    });
    await see('lumen-nyc', 'rejected');
    await h.clock.advance(120_000);
    expect(h.incidentsFor(BASE_KEY)).toHaveLength(0);
    expect((await h.store.listIncidents({ open: true, limit: 10 })).map((i) => i.correlationId)).toEqual(['trunkgate:trunk:lumen-nyc']);
    expect((await h.store.listIncidents({ trunkId: 'lumen-nyc', limit: 10 })).map((i) => i.id)).toEqual(['legacy']);
    await see('lumen-nyc', 'registered');
    await h.clock.advance(301_000);
    expect((await h.store.getIncident('legacy'))!.open).toBe(false);
    // The next failure is the carrier's.
    await see('lumen-nyc', 'dropped');
    await h.clock.advance(31_000);
    expect(h.incidentsFor(BASE_KEY)).toHaveLength(1);
  });

  it('leaves a trunk served by its own per-trunk incident out of the base: another Edge failing later opens the base incident after INCIDENT_OPEN_AFTER_MS, without that trunk', async () => {
    start();
    await see('lumen-chi', 'registered');
    await h.store.insertIncident({
      id: 'legacy',
      correlationId: 'trunkgate:trunk:lumen-nyc',
      trunkId: 'lumen-nyc',
      trunkBaseId: null,
      kind: 'registration_rejected',
      open: true,
      openedAt: h.clock.now(),
      resolvedAt: null,
      reopenedAt: null,
      reopenCount: 0,
      sysId: 'sys-legacy',
      number: 'INC0000099',
      servicenowState: '1',
      lastNoteAt: h.clock.now(),
      changesSinceNote: 0,
      updatedAt: h.clock.now(),
      org: 'default',
      servicenowInstance: 'default',
    });
    await see('lumen-nyc', 'rejected');
    await h.clock.advance(120_000);
    await see('lumen-chi', 'rejected');
    await h.clock.advance(2_000);
    expect(h.incidentsFor(BASE_KEY)).toHaveLength(0); // chi has failed for 2 s only
    await h.clock.advance(30_000);
    const open = await h.store.listIncidents({ open: true, limit: 10 });
    expect(open.map((i) => [i.correlationId, i.trunkIds])).toEqual(
      expect.arrayContaining([
        ['trunkgate:trunk:lumen-nyc', ['lumen-nyc']],
        [BASE_KEY, ['lumen-chi']],
      ]),
    );
    expect(open.filter((i) => i.trunkIds.includes('lumen-nyc'))).toHaveLength(1);
  });

  it('after a resolve, a blip on another Edge shorter than INCIDENT_OPEN_AFTER_MS does not reopen it (episodes kept for the open incident are over)', async () => {
    start();
    await see('lumen-nyc', 'registered');
    await see('lumen-chi', 'registered');
    await see('lumen-nyc', 'rejected');
    await h.clock.advance(31_000);
    expect(h.incidentsFor(BASE_KEY)).toHaveLength(1);
    await see('lumen-nyc', 'registered');
    for (let i = 0; i < 4; i += 1) {
      await h.clock.advance(60_000);
      await see('lumen-nyc', 'registered');
      await see('lumen-chi', 'registered');
    }
    await h.clock.advance(62_000);
    expect(h.incidentsFor(BASE_KEY)[0]!.state).toBe('6');
    await see('lumen-chi', 'dropped');
    await h.clock.advance(1_000);
    await see('lumen-chi', 'registered');
    await h.settle();
    expect((await h.store.listIncidents({ limit: 5 }))[0]!.open).toBe(false);
  });

  it('resolves as gone when no trunk is listed under the base any more (its trunks moved to another trunk base)', async () => {
    start();
    await see('lumen-nyc', 'rejected');
    await h.clock.advance(31_000);
    expect(h.incidentsFor(BASE_KEY)[0]!.state).toBe('1');
    await see('lumen-nyc', 'registered', { trunkBase: { id: 'b-lumen-v2', name: 'BYOC Carrier - Lumen (new)' } });
    await h.clock.advance(2_000);
    expect(h.incidentsFor(BASE_KEY)[0]).toMatchObject({ state: '6' });
  });

  it('keeps one incident per trunk with INCIDENT_GROUP_BY=trunk, and for a trunk with no known trunk base', async () => {
    start({ grouping: 'trunk' });
    await see('lumen-nyc', 'rejected');
    await see('lumen-chi', 'rejected');
    await h.clock.advance(31_000);
    expect(h.incidentsFor('trunkgate:trunk:lumen-nyc')).toHaveLength(1);
    expect(h.incidentsFor('trunkgate:trunk:lumen-chi')).toHaveLength(1);
    expect(h.incidentsFor(BASE_KEY)).toHaveLength(0);
    await h.stop();

    start();
    await see('lumen-dal', 'rejected', { trunkBase: null });
    await h.clock.advance(31_000);
    expect(h.incidentsFor('trunkgate:trunk:lumen-dal')).toHaveLength(1);
  });
});

describe('Watchdog: trunks that do not use registration', () => {
  it('says which signal failed: "SIP OPTIONS to <proxy> unanswered (408)", and does not blame a token rotation for it', async () => {
    start();
    h.rotations.record(h.clock.now());
    await h.clock.advance(5_000);
    await h.ingest.record({
      trunkId: 'cloud-1',
      name: 'Bandwidth BYOC Cloud',
      edge: { id: 'c1', name: 'byoc-cloud-a' },
      trunkBase: null,
      proxyAddress: 'sip.carrier.example:5060',
      state: 'dropped',
      signal: 'options',
      sipCode: 408,
      errorText: 'Request Timeout',
      connected: true,
      registered: null,
      stateTime: null,
      source: 'poll',
      observedAt: h.clock.now(),
    });
    await h.clock.advance(31_000);
    const [inc] = h.incidentsFor('trunkgate:trunk:cloud-1');
    expect(inc!.short_description).toBe('SIP trunk Bandwidth BYOC Cloud: SIP OPTIONS unanswered (SIP 408 Request Timeout)');
    expect(inc!.description).toContain('Judged on: SIP OPTIONS pings (the trunk does not use registration)');
    expect(inc!.description).not.toContain('likely credential propagation');
    expect(inc!.description).toContain('this trunk does not use registration');
    expect(inc!.description).toContain("does not answer the Edge's SIP OPTIONS pings");
    expect(await h.store.getTrunk('cloud-1')).toMatchObject({ state: 'dropped', signal: 'options' });
    expect((await h.store.listTrunkEvents('cloud-1', { limit: 1 }))[0]).toMatchObject({ signal: 'options', sipCode: 408 });
  });
});

describe('Watchdog: trunk events as patches on the last known trunk', () => {
  const polled = {
    id: 'lumen-nyc',
    name: 'Lumen SIP - NYC',
    edge: { id: 'e-nyc', name: 'edge-nyc-01' },
    trunkBase: BASE,
    connectedStatus: { connected: true },
    registersEnabledStatus: 'ENABLED',
    proxyAddressList: ['sip-a:5061'],
    registersStatus: [{ proxyAddress: 'sip-a:5061', registerState: false, errorInfo: { code: '403', text: 'Forbidden' } }],
    optionsStatus: [{ proxyAddress: 'sip-a:5061', optionState: true }],
  };

  it('a rejected trunk neither flaps nor changes state when partial events arrive', async () => {
    start();
    await h.ingest.record({ ...normaliseTrunk(polled), source: 'poll', observedAt: h.clock.now(), health: healthOfTrunk(polled) });
    await h.clock.advance(31_000);
    const partials = [
      { connectedStatus: { connected: true } },
      { optionsStatus: [{ proxyAddress: 'sip-a:5061', optionState: true }] },
      { ipStatus: { address: '198.51.100.11' } },
      { id: 'lumen-nyc' },
    ];
    for (const body of partials) {
      await h.ingest.recordPatch({ trunkId: 'lumen-nyc', body, source: 'notification', observedAt: h.clock.now() });
      await h.clock.advance(1_000);
    }
    expect(await h.store.getTrunk('lumen-nyc')).toMatchObject({
      state: 'rejected',
      sipCode: 403,
      signal: 'registration',
      trunkBaseId: 'b-lumen',
    });
    expect(await h.store.listTrunkEvents('lumen-nyc', { limit: 10 })).toHaveLength(1); // only the first state, no flap
    await h.clock.advance(600_000);
    expect(h.incidentsFor(BASE_KEY)).toHaveLength(1);
    expect(h.servicenow.notes(h.incidentsFor(BASE_KEY)[0]!.sys_id!)).toHaveLength(0);
    // The event that does carry registersStatus is taken.
    await h.ingest.recordPatch({
      trunkId: 'lumen-nyc',
      body: { registersStatus: [{ proxyAddress: 'sip-a:5061', registerState: true }] },
      source: 'notification',
      observedAt: h.clock.now(),
    });
    expect((await h.store.getTrunk('lumen-nyc'))!.state).toBe('registered');
  });
});
