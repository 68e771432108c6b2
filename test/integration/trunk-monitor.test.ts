import { afterEach, describe, expect, it } from 'vitest';
import { defaultTrunkIds, generatedTrunks, TRUNK_TOPIC_PREFIX } from '../../src/sim/genesys/index.js';
import { nextEvent, startMonitorRig } from '../support/monitor-rig.js';

type Rig = Awaited<ReturnType<typeof startMonitorRig>>;
const DEFAULT_EXTERNAL = Object.values(defaultTrunkIds).filter((id) => id !== defaultTrunkIds.phone);

describe('trunk monitor against the Genesys simulator', () => {
  let rig: Rig | undefined;
  afterEach(async () => {
    await rig?.close();
    rig = undefined;
  });

  /** Starts the monitor and resolves once every channel is open and the re-poll after the last one is done. */
  const startAndSettle = async (r: Rig, channels = 1) => {
    let opened = 0;
    const allOpen = nextEvent(r.monitor, 'channelOpened', () => ++opened === channels);
    r.monitor.start();
    await allOpen;
    await nextEvent(r.monitor, 'poll', (p) => p.reason === 'reconnect');
  };
  const isNotification = (trunkId: string, state?: string) => (s: { source: string; trunkId: string; state: string }) =>
    s.source === 'notification' && s.trunkId === trunkId && (state === undefined || s.state === state);

  it('a poll reads every page of EXTERNAL trunks and records each trunk once', async () => {
    rig = await startMonitorRig({ sim: { generatedTrunks: 6 }, notifications: false, tuning: { pageSize: 3 } });
    const polled = nextEvent(rig.monitor, 'poll');
    rig.monitor.start();
    const report = await polled;
    expect(report).toMatchObject({ ok: true, pages: 4, recorded: 12, reason: 'start' });
    const ids = rig.sink.bySource('poll').map((s) => s.trunkId);
    expect(ids.sort()).toEqual([...DEFAULT_EXTERNAL, ...generatedTrunks(6).map((t) => t.id)].sort());
    expect(ids).not.toContain(defaultTrunkIds.phone);
    expect(rig.sim.stats().byRoute['GET /api/v2/telephony/providers/edges/trunks']).toBe(4);
  });

  it('a registration rejected with 403 arrives as a notification sighting without waiting for a poll', async () => {
    rig = await startMonitorRig();
    await startAndSettle(rig);
    const polls = rig.sim.stats().byRoute['GET /api/v2/telephony/providers/edges/trunks'];
    rig.sim.control.setTrunkState(defaultTrunkIds.twilio, { state: 'rejected', sipCode: 403, text: 'Forbidden' });
    const sighting = await rig.sink.waitFor(isNotification(defaultTrunkIds.twilio));
    expect(sighting).toMatchObject({
      state: 'rejected',
      sipCode: 403,
      errorText: '403 Forbidden',
      proxyAddress: 'acme.pstn.twilio.example.com:5060',
      connected: false,
    });
    expect(rig.sim.stats().byRoute['GET /api/v2/telephony/providers/edges/trunks']).toBe(polls);
  });

  it('when every socket drops, it reconnects and re-polls, catching the change made while it was away', async () => {
    rig = await startMonitorRig();
    await startAndSettle(rig);
    const reconnected = nextEvent(rig.monitor, 'channelOpened', (i) => i.reason === 'socket_closed');
    const repolled = nextEvent(rig.monitor, 'poll', (p) => p.reason === 'reconnect');
    const from = rig.sink.sightings.length;
    expect(rig.sim.control.dropSockets()).toBe(1);
    // Nobody is connected now: this event is lost, as on the real service.
    rig.sim.control.setTrunkState(defaultTrunkIds.acmePbx, { state: 'dropped' });
    const info = await reconnected;
    await repolled;
    expect(rig.sim.control.listChannels().find((c) => c.id === info.channelId)).toMatchObject({
      connected: true,
      topics: expect.arrayContaining([`${TRUNK_TOPIC_PREFIX}${defaultTrunkIds.acmePbx}`]),
    });
    expect(
      rig.sink.sightings.slice(from).some((s) => s.source === 'poll' && s.trunkId === defaultTrunkIds.acmePbx && s.state === 'dropped'),
    ).toBe(true);
  });

  it('socket_closing: a new channel takes over before the old socket closes, and no event is lost', async () => {
    rig = await startMonitorRig();
    await startAndSettle(rig);
    const first = rig.sim.control.listChannels()[0]!;
    const rolledOver = nextEvent(rig.monitor, 'channelOpened', (i) => i.reason === 'socket_closing');
    rig.sim.control.sendSocketClosing({ graceMs: 60_000 });
    rig.sim.control.setTrunkState(defaultTrunkIds.lumenPrimary, { state: 'rejected' }); // during the rollover
    const info = await rolledOver;
    expect(info.channelId).not.toBe(first.id);
    await rig.sink.waitFor(isNotification(defaultTrunkIds.lumenPrimary, 'rejected'));

    rig.sim.control.setTrunkState(defaultTrunkIds.lumenSecondary, { state: 'dropped' }); // after it
    await rig.sink.waitFor(isNotification(defaultTrunkIds.lumenSecondary, 'dropped'));
    const channels = rig.sim.control.listChannels();
    expect(channels.find((c) => c.id === info.channelId)).toMatchObject({ connected: true });
    expect(channels.find((c) => c.id === first.id)?.connected ?? false).toBe(false);
  });

  it('after a token rotation the channels move to the new token, so revoking the old one loses nothing', async () => {
    rig = await startMonitorRig();
    await startAndSettle(rig);
    const before = rig.sim.state.channels.list()[0]!;
    const moved = nextEvent(rig.monitor, 'channelOpened', (i) => i.reason === 'token_rotated');
    // Make the broker rotate: tell it the current token was refused.
    const current = await rig.credentials.genesys.authorize();
    await rig.credentials.genesys.refused(current, 401);
    const info = await moved;
    const after = rig.sim.state.channels.get(info.channelId)!;
    expect(after.token).not.toBe(before.token);
    expect([...after.topics].sort()).toEqual(DEFAULT_EXTERNAL.map((id) => `${TRUNK_TOPIC_PREFIX}${id}`).sort());

    rig.sim.state.tokens.revoke(before.token);
    rig.sim.state.notifications.sweep();
    expect(rig.sim.control.listChannels().map((c) => c.id)).toEqual([info.channelId]);
    rig.sim.control.setTrunkState(defaultTrunkIds.twilio, { state: 'rejected', sipCode: 401 });
    expect(await rig.sink.waitFor(isNotification(defaultTrunkIds.twilio, 'rejected'))).toMatchObject({ sipCode: 401 });
  });

  it('200 trunks with notifications on: all subscribed on one channel, and a change to one of them arrives', async () => {
    rig = await startMonitorRig({ sim: { generatedTrunks: 194 } });
    await startAndSettle(rig);
    const channels = rig.sim.control.listChannels();
    expect(channels).toHaveLength(1);
    expect(channels[0]).toMatchObject({ connected: true });
    expect(new Set(channels[0]!.topics).size).toBe(200);
    // Start poll and re-poll; the two BYOC Cloud trunks report no registration and are `connected`.
    expect(rig.sink.bySource('poll').filter((s) => s.state === 'registered')).toHaveLength(396);
    expect(rig.sink.bySource('poll').filter((s) => s.state === 'connected')).toHaveLength(4);

    const target = generatedTrunks(194)[136]!.id;
    rig.sim.control.setTrunkState(target, { state: 'rejected', sipCode: 403 });
    expect(await rig.sink.waitFor(isNotification(target))).toMatchObject({ state: 'rejected', sipCode: 403 });
    expect(rig.monitor.status()).toMatchObject({
      lastPoll: { ok: true, trunks: 200 },
      channels: { channels: 1, open: 1, openTopics: 200 },
    });
  });

  it('more trunks than the topic cap open several channels that together cover every trunk', async () => {
    rig = await startMonitorRig({ sim: { generatedTrunks: 114 }, tuning: { topicsPerChannel: 50 } });
    await startAndSettle(rig, 3);
    const channels = rig.sim.control.listChannels();
    expect(channels.map((c) => c.topics.length).sort()).toEqual([20, 50, 50]);
    expect(channels.every((c) => c.connected)).toBe(true);
    expect(new Set(channels.flatMap((c) => c.topics)).size).toBe(120);

    const smallest = channels.find((c) => c.topics.length === 20)!;
    const trunkId = smallest.topics[5]!.slice(TRUNK_TOPIC_PREFIX.length);
    rig.sim.control.setTrunkState(trunkId, { state: 'dropped' });
    expect(await rig.sink.waitFor(isNotification(trunkId))).toMatchObject({ state: 'dropped' });
  });

  it('a trunk added in Genesys is subscribed after the next poll', async () => {
    rig = await startMonitorRig();
    await startAndSettle(rig);
    const seed = { ...generatedTrunks(1)[0]!, id: 'a3000000-0000-4000-8000-000000000001', name: 'New carrier' };
    rig.sim.control.addTrunk(seed);
    const resubscribed = nextEvent(rig.monitor, 'subscribed', (i) => i.topics === 7);
    await rig.monitor.pollNow();
    await resubscribed;
    expect(rig.sim.control.listChannels()[0]!.topics).toContain(`${TRUNK_TOPIC_PREFIX}${seed.id}`);
    rig.sim.control.setTrunkState(seed.id, { state: 'rejected' });
    expect(await rig.sink.waitFor(isNotification(seed.id))).toMatchObject({ state: 'rejected', sipCode: 403 });
  });

  it('an expired channel is replaced by a new one, followed by a re-poll', async () => {
    rig = await startMonitorRig();
    await startAndSettle(rig);
    const old = rig.sim.control.listChannels()[0]!.id;
    const replaced = nextEvent(rig.monitor, 'channelOpened', (i) => i.reason === 'socket_closed');
    const repolled = nextEvent(rig.monitor, 'poll', (p) => p.reason === 'reconnect');
    rig.sim.control.expireChannel(old);
    const info = await replaced;
    await repolled;
    expect(info.channelId).not.toBe(old);
    expect(rig.sim.control.listChannels()).toEqual([expect.objectContaining({ id: info.channelId, connected: true })]);
  });

  it('a stalled stream (no heartbeats, no pongs) is given up by the watchdog and reopened', async () => {
    rig = await startMonitorRig({
      sim: { notifications: { heartbeatIntervalMs: 100 } },
      tuning: { pingAfterMs: 400, heartbeatTimeoutMs: 1_000 },
    });
    await startAndSettle(rig);
    const channelId = rig.sim.control.listChannels()[0]!.id;
    const reopened = nextEvent(rig.monitor, 'channelOpened', (i) => i.reason === 'heartbeat_timeout');
    rig.sim.control.setHeartbeats({ enabled: false });
    const info = await reopened;
    expect(info.channelId).toBe(channelId); // the channel itself was fine: reused
    rig.sim.control.setHeartbeats({ enabled: true });
    rig.sim.control.setTrunkState(defaultTrunkIds.twilio, { state: 'dropped' });
    await rig.sink.waitFor(isNotification(defaultTrunkIds.twilio, 'dropped'));
  });

  it('stop() closes the sockets; start() after it opens new ones', async () => {
    rig = await startMonitorRig();
    await startAndSettle(rig);
    await rig.monitor.stop();
    expect(rig.sim.control.listChannels().filter((c) => c.connected)).toEqual([]);
    await startAndSettle(rig);
    expect(rig.sim.control.listChannels().filter((c) => c.connected)).toHaveLength(1);
  });
});
