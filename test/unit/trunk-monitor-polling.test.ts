import { afterEach, describe, expect, it } from 'vitest';
import { rejectedEvent, trunkFrame, wireTrunk } from '../support/fake-notifications.js';
import { monitorHarness } from '../support/monitor-harness.js';

describe('TrunkMonitor polling', () => {
  let h: ReturnType<typeof monitorHarness>;
  afterEach(() => h?.monitor.stop());

  it('polls at start, reads every page and records one poll sighting per trunk, stamped with the clock', async () => {
    h = monitorHarness({ trunks: 5, notifications: false });
    h.monitor.start();
    await h.clock.advance(0);
    expect(h.lister.requests).toEqual([
      { pageNumber: 1, pageSize: 2 },
      { pageNumber: 2, pageSize: 2 },
      { pageNumber: 3, pageSize: 2 },
    ]);
    expect(h.sink.sightings.map((s) => s.trunkId)).toEqual(['t1', 't2', 't3', 't4', 't5']);
    expect(h.sink.sightings[0]).toMatchObject({
      source: 'poll',
      observedAt: h.clock.now(),
      state: 'registered',
      name: 'Trunk t1',
      edge: { id: 'edge-1', name: 'edge-nyc-01' },
    });
    expect(await h.metric('trunkgate_monitor_polls_total', { outcome: 'ok' })).toBe(1);
    expect(await h.metric('trunkgate_monitor_trunks_seen')).toBe(5);
    expect(await h.metric('trunkgate_monitor_sightings_total', { source: 'poll' })).toBe(5);
  });

  it('normalises what it reads: a 403 REGISTER is a rejected sighting with the SIP code', async () => {
    h = monitorHarness({ trunks: 0, notifications: false });
    h.lister.trunks = [wireTrunk('t1', { ...rejectedEvent('t1', 403) })];
    h.monitor.start();
    await h.clock.advance(0);
    expect(h.sink.sightings).toEqual([expect.objectContaining({ trunkId: 't1', state: 'rejected', sipCode: 403, source: 'poll' })]);
  });

  it('polls again every interval, and the timer is gone after stop()', async () => {
    h = monitorHarness({ trunks: 1, notifications: false, pollIntervalMs: 10_000 });
    h.monitor.start();
    await h.clock.advance(0);
    await h.clock.advance(10_000);
    await h.clock.advance(10_000);
    expect(h.sink.sightings).toHaveLength(3);
    await h.monitor.stop();
    expect(h.clock.pending).toBe(0);
    await h.clock.advance(60_000);
    expect(h.sink.sightings).toHaveLength(3);
  });

  it('start() and stop() are idempotent, and a stopped monitor starts again', async () => {
    h = monitorHarness({ trunks: 1, notifications: false, pollIntervalMs: 10_000 });
    h.monitor.start();
    h.monitor.start();
    await h.clock.advance(0);
    expect(h.clock.pending).toBe(1);
    await h.monitor.stop();
    await h.monitor.stop();
    expect(h.monitor.status().running).toBe(false);
    h.monitor.start();
    await h.clock.advance(0);
    expect(h.clock.pending).toBe(1);
    expect(h.sink.sightings).toHaveLength(2);
  });

  it('a stop and a start during a slow poll: the old result is dropped and the new run polls', async () => {
    h = monitorHarness({ trunks: 1, notifications: false });
    let release!: () => void;
    h.lister.gate = new Promise((r) => (release = r));
    h.monitor.start();
    await h.clock.advance(0);
    const stopped = h.monitor.stop();
    h.lister.gate = undefined;
    h.monitor.start();
    release();
    await stopped;
    await h.clock.advance(0);
    expect(h.lister.requests).toHaveLength(2);
    expect(h.sink.sightings).toHaveLength(1); // only the new run's poll was recorded
    expect(h.monitor.status().lastPoll).toMatchObject({ ok: true });
  });

  it('pollNow() on a stopped monitor reads nothing', async () => {
    h = monitorHarness({ trunks: 1, notifications: false });
    expect(await h.monitor.pollNow()).toMatchObject({ ok: false, error: expect.any(Error) });
    expect(h.lister.requests).toEqual([]);
  });

  it('a failed poll is a WARN, never a crash, and the next interval polls again', async () => {
    h = monitorHarness({ trunks: 3, notifications: false, pollIntervalMs: 10_000 });
    h.lister.failNext(new Error('socket hang up'), 2);
    h.monitor.start();
    await h.clock.advance(0);
    expect(h.sink.sightings.map((s) => s.trunkId)).toEqual(['t1', 't2']); // page 1 was good and stays recorded
    expect(h.monitor.status().lastPoll).toMatchObject({ ok: false });
    const warning = h.logs.lines().find((l) => l.message === 'trunk poll failed; trying again at the next interval');
    expect(warning).toMatchObject({ level: 'warn', reason: 'start' });
    expect(await h.metric('trunkgate_monitor_polls_total', { outcome: 'failed' })).toBe(1);

    // Only a complete listing says which trunks are gone: the failed poll told the sink nothing.
    expect(h.sink.listings).toEqual([]);
    await h.clock.advance(10_000);
    expect(h.sink.sightings.map((s) => s.trunkId).slice(2)).toEqual(['t1', 't2', 't3']);
    expect(h.sink.listings).toEqual([['t1', 't2', 't3']]);
    expect(h.monitor.status().lastPoll).toMatchObject({ ok: true, trunks: 3 });
    expect(h.logs.lines().some((l) => l.message === 'trunk polling recovered')).toBe(true);
  });

  it('a sink failure loses that sighting only; the poll goes on', async () => {
    h = monitorHarness({ trunks: 3, notifications: false });
    h.sink.failNext(1);
    h.monitor.start();
    await h.clock.advance(0);
    expect(h.sink.sightings.map((s) => s.trunkId)).toEqual(['t2', 't3']);
    expect(await h.metric('trunkgate_monitor_sink_failures_total', { source: 'poll' })).toBe(1);
    expect(h.logs.lines().some((l) => l.level === 'warn' && l.trunkId === 't1')).toBe(true);
  });

  it('counts a trunk once per poll even when paging by position shows it twice', async () => {
    h = monitorHarness({ trunks: 0, notifications: false });
    h.lister.trunks = [wireTrunk('a'), wireTrunk('b'), wireTrunk('b'), wireTrunk('c'), wireTrunk('gone', { state: 'deleted' })];
    h.monitor.start();
    await h.clock.advance(0);
    expect(h.sink.sightings.map((s) => s.trunkId)).toEqual(['a', 'b', 'c']);
  });

  it('an interval that comes round during a slow poll is skipped; a reconnect during one queues one more poll', async () => {
    h = monitorHarness({ trunks: 1, notifications: true, pollIntervalMs: 1_000 });
    let release!: () => void;
    h.lister.gate = new Promise((r) => (release = r));
    h.monitor.start();
    await h.clock.advance(5_000); // five ticks while the start poll hangs
    expect(h.lister.requests).toHaveLength(1);
    h.lister.gate = undefined;
    release();
    await h.clock.advance(0);
    // The start poll, then the one re-poll the new socket asked for; none of the five ticks piled up.
    expect(h.lister.requests).toHaveLength(2);
    await h.clock.advance(1_000);
    expect(h.lister.requests).toHaveLength(3);
  });

  it('does not record a polled trunk whose notification arrived while its page was in flight', async () => {
    h = monitorHarness({ trunks: 2, notifications: true, pollIntervalMs: 60_000 });
    h.monitor.start();
    await h.clock.advance(0);
    const socket = h.connector.socketOf('c1');
    const before = h.sink.sightings.length;

    let release!: () => void;
    h.lister.gate = new Promise((r) => (release = r));
    const poll = h.monitor.pollNow();
    await h.clock.advance(0);
    socket.deliver(trunkFrame('t1', rejectedEvent('t1')));
    await h.clock.advance(0);
    h.lister.gate = undefined;
    release();
    await poll;
    const after = h.sink.sightings.slice(before);
    expect(after.map((s) => `${s.trunkId}/${s.source}/${s.state}`)).toEqual(['t1/notification/rejected', 't2/poll/registered']);
  });
});
