import { describe, expect, it } from 'vitest';
import { decide, type RuleSettings, type SubjectNow } from '../../src/incidents/incident-rules.js';
import { advanceTimers, applySighting } from '../../src/trunks/health-timers.js';
import type { IncidentRow } from '../../src/incidents/incident-store.js';
import type { TrunkRow } from '../../src/trunks/trunk-store.js';
import type { TrunkSighting } from '../../src/trunks/trunk-sighting.js';

const settings: RuleSettings = { openAfterMs: 30_000, resolveAfterMs: 300_000, reopenWindowMs: 3_600_000, noteIntervalMs: 300_000 };

function sighting(state: TrunkSighting['state'], extra: Partial<TrunkSighting> = {}): TrunkSighting {
  return {
    trunkId: 't1',
    name: 'Lumen',
    state,
    signal: state === 'unknown' ? null : 'registration',
    trunkBase: null,
    sipCode: state === 'rejected' ? 403 : null,
    errorText: state === 'rejected' ? '403 Forbidden' : null,
    proxyAddress: 'sip-a:5061',
    edge: { id: 'e1', name: 'edge-1' },
    connected: true,
    registered: state === 'registered',
    stateTime: null,
    source: 'poll',
    observedAt: 0,
    ...extra,
  };
}

function incident(extra: Partial<IncidentRow> = {}): IncidentRow {
  return {
    id: 'i',
    correlationId: 'k',
    trunkId: 't1',
    trunkBaseId: null,
    kind: 'registration_rejected',
    open: true,
    openedAt: 0,
    resolvedAt: null,
    reopenedAt: null,
    reopenCount: 0,
    sysId: null,
    number: null,
    servicenowState: null,
    lastNoteAt: 0,
    changesSinceNote: 0,
    updatedAt: 0,
    org: 'default',
    servicenowInstance: 'default',
    ...extra,
  };
}

const failing = (failingSince: number): SubjectNow => ({
  health: 'failing',
  kind: 'registration_rejected',
  failingSince,
  healthySince: null,
});
const healthy = (healthySince: number): SubjectNow => ({ health: 'healthy', kind: null, failingSince: null, healthySince });

describe('incident rules: failure episodes', () => {
  it('starts an episode at the first failure and keeps it through healthy spells shorter than INCIDENT_OPEN_AFTER_MS', () => {
    let t = advanceTimers(null, 'failing', 1_000, 30_000);
    expect(t).toEqual({ failingSince: 1_000, healthySince: null });
    t = advanceTimers({ ...t, health: 'failing' }, 'healthy', 2_000, 30_000);
    expect(t).toEqual({ failingSince: 1_000, healthySince: 2_000 });
    t = advanceTimers({ ...t, health: 'healthy' }, 'failing', 3_000, 30_000);
    expect(t).toEqual({ failingSince: 1_000, healthySince: null });
  });

  it('ends the episode once health has lasted INCIDENT_OPEN_AFTER_MS, so a later failure starts a new one', () => {
    let t = advanceTimers(null, 'failing', 0, 30_000);
    t = advanceTimers({ ...t, health: 'failing' }, 'healthy', 1_000, 30_000);
    t = advanceTimers({ ...t, health: 'healthy' }, 'healthy', 31_000, 30_000);
    expect(t).toEqual({ failingSince: null, healthySince: 1_000 });
    t = advanceTimers({ failingSince: 0, healthySince: 1_000, health: 'healthy' }, 'failing', 40_000, 30_000);
    expect(t).toEqual({ failingSince: 40_000, healthySince: null });
  });

  it('keeps the episode while its incident is open, so the resolve note says when the problem began', () => {
    const healthy = { failingSince: 0, healthySince: 1_000, health: 'healthy' as const };
    expect(advanceTimers(healthy, 'healthy', 31_000, 30_000, true)).toEqual({ failingSince: 0, healthySince: 1_000 });
    expect(advanceTimers(healthy, 'healthy', 31_000, 30_000, false)).toEqual({ failingSince: null, healthySince: 1_000 });
  });

  it('ends the episode at the first healthy sighting when INCIDENT_OPEN_AFTER_MS is 0', () => {
    expect(advanceTimers({ failingSince: 0, healthySince: null, health: 'failing' }, 'healthy', 5, 0)).toEqual({
      failingSince: null,
      healthySince: 5,
    });
  });

  it('treats unknown as neither: it ends a healthy spell and keeps the episode', () => {
    expect(advanceTimers({ failingSince: 0, healthySince: 10, health: 'healthy' }, 'unknown', 20, 30_000)).toEqual({
      failingSince: 0,
      healthySince: null,
    });
  });

  it('applySighting keeps the last known name and Edge when a notification carries none, and marks what changed', () => {
    const first = applySighting(null, sighting('registered'), 0, 30_000);
    expect(first.changed).toBe(true);
    const prev: TrunkRow = first.row;
    const same = applySighting(prev, sighting('registered', { observedAt: 5, source: 'notification' }), 5, 30_000);
    expect(same.changed).toBe(false);
    expect(same.row.since).toBe(0);
    const noted = applySighting(prev, sighting('rejected', { name: null, edge: null, source: 'notification' }), 10, 30_000);
    expect(noted.row).toMatchObject({
      name: 'Lumen',
      edgeId: 'e1',
      edgeName: 'edge-1',
      state: 'rejected',
      since: 10,
      failingSince: 10,
      lastSeenAt: 10,
    });
    expect(noted.changed && noted.stateChanged).toBe(true);
    const newText = applySighting(noted.row, sighting('rejected', { errorText: '403 Account suspended' }), 20, 30_000);
    expect(newText).toMatchObject({ changed: true, stateChanged: false });
    expect(newText.row.since).toBe(10);
  });
});

describe('incident rules: decisions', () => {
  it('opens only after the failure persisted INCIDENT_OPEN_AFTER_MS, with the kind of the current state', () => {
    expect(decide({ subject: failing(0), open: null, latest: null, changed: true, now: 29_999, settings })).toEqual({ type: 'none' });
    expect(decide({ subject: failing(0), open: null, latest: null, changed: false, now: 30_000, settings })).toEqual({
      type: 'open',
      kind: 'registration_rejected',
    });
    expect(
      decide({ subject: { ...failing(0), kind: 'registration_dropped' }, open: null, latest: null, changed: false, now: 30_000, settings }),
    ).toEqual({ type: 'open', kind: 'registration_dropped' });
  });

  it('never opens for a healthy or unknown subject', () => {
    expect(decide({ subject: healthy(0), open: null, latest: null, changed: true, now: 1e9, settings })).toEqual({ type: 'none' });
    expect(
      decide({
        subject: { health: 'unknown', kind: null, failingSince: 0, healthySince: null },
        open: null,
        latest: null,
        changed: true,
        now: 1e9,
        settings,
      }),
    ).toEqual({ type: 'none' });
  });

  it('reopens the latest incident when the failure began inside INCIDENT_REOPEN_WINDOW_MS of its resolve, else opens a new one', () => {
    const resolved = incident({ open: false, resolvedAt: 100_000 });
    expect(
      decide({ subject: failing(100_000 + 3_600_000), open: null, latest: resolved, changed: false, now: 100_000 + 3_630_000, settings }),
    ).toMatchObject({ type: 'reopen', incident: resolved });
    expect(
      decide({ subject: failing(100_000 + 3_600_001), open: null, latest: resolved, changed: false, now: 100_000 + 3_700_000, settings }),
    ).toEqual({ type: 'open', kind: 'registration_rejected' });
  });

  it('notes a change on an open incident at most once per INCIDENT_NOTE_INTERVAL_MS and holds the rest', () => {
    const open = incident({ lastNoteAt: 0 });
    expect(decide({ subject: failing(0), open, latest: null, changed: true, now: 1_000, settings })).toEqual({
      type: 'hold',
      incident: open,
    });
    expect(decide({ subject: failing(0), open, latest: null, changed: true, now: 300_000, settings })).toEqual({
      type: 'note',
      incident: open,
    });
    expect(decide({ subject: failing(0), open, latest: null, changed: false, now: 300_000, settings })).toEqual({ type: 'none' });
    const held = incident({ lastNoteAt: 0, changesSinceNote: 3 });
    expect(decide({ subject: failing(0), open: held, latest: null, changed: false, now: 299_999, settings })).toEqual({ type: 'none' });
    expect(decide({ subject: failing(0), open: held, latest: null, changed: false, now: 300_000, settings })).toEqual({
      type: 'note',
      incident: held,
    });
  });

  it('resolves after INCIDENT_RESOLVE_AFTER_MS of health, not before', () => {
    const open = incident();
    expect(decide({ subject: healthy(10), open, latest: null, changed: false, now: 300_009, settings })).toEqual({ type: 'none' });
    expect(decide({ subject: healthy(10), open, latest: null, changed: false, now: 300_010, settings })).toEqual({
      type: 'resolve',
      incident: open,
    });
    expect(
      decide({ subject: healthy(10), open, latest: null, changed: true, now: 10, settings: { ...settings, resolveAfterMs: 0 } }),
    ).toEqual({ type: 'resolve', incident: open });
  });
});
