import { afterEach, describe, expect, it } from 'vitest';
import { defaultTrunkIds, TRUNK_TOPIC_PREFIX } from '../../src/sim/genesys/index.js';
import { nextEvent, startMonitorRig } from '../support/monitor-rig.js';

type Rig = Awaited<ReturnType<typeof startMonitorRig>>;
const EXTERNAL_TOPICS = Object.values(defaultTrunkIds)
  .filter((id) => id !== defaultTrunkIds.phone)
  .map((id) => `${TRUNK_TOPIC_PREFIX}${id}`)
  .sort();

describe('trunk monitor and the Notifications API system topics (Genesys simulator)', () => {
  let rig: Rig | undefined;
  afterEach(async () => {
    await rig?.close();
    rig = undefined;
  });

  const startAndSettle = async (r: Rig) => {
    const opened = nextEvent(r.monitor, 'channelOpened');
    r.monitor.start();
    await opened;
    await nextEvent(r.monitor, 'poll', (p) => p.reason === 'reconnect');
  };
  const isNotification = (trunkId: string, state: string) => (s: { source: string; trunkId: string; state: string }) =>
    s.source === 'notification' && s.trunkId === trunkId && s.state === state;
  const isPoll = (trunkId: string, state: string) => (s: { source: string; trunkId: string; state: string }) =>
    s.source === 'poll' && s.trunkId === trunkId && s.state === state;

  it('no_longer_subscribed: the same channel is subscribed again, a poll catches what was missed, and pushes arrive again', async () => {
    rig = await startMonitorRig();
    await startAndSettle(rig);
    const channelId = rig.sim.control.listChannels()[0]!.id;
    const repolled = nextEvent(rig.monitor, 'poll', (p) => p.reason === 'resubscribed');
    const from = rig.sink.sightings.length;

    expect(rig.sim.control.sendNoLongerSubscribed()).toBe(1);
    // Nothing is subscribed now: this change is not pushed, as on the real service.
    rig.sim.control.setTrunkState(defaultTrunkIds.acmePbx, { state: 'dropped' });
    expect(await repolled).toMatchObject({ ok: true });
    expect(rig.sink.sightings.slice(from).some(isPoll(defaultTrunkIds.acmePbx, 'dropped'))).toBe(true);
    expect(rig.sink.sightings.slice(from).some((s) => s.source === 'notification')).toBe(false);

    const channels = rig.sim.control.listChannels();
    expect(channels).toHaveLength(1);
    expect(channels[0]).toMatchObject({ id: channelId, connected: true });
    expect([...channels[0]!.topics].sort()).toEqual(EXTERNAL_TOPICS);
    rig.sim.control.setTrunkState(defaultTrunkIds.twilio, { state: 'rejected', sipCode: 403 });
    expect(await rig.sink.waitFor(isNotification(defaultTrunkIds.twilio, 'rejected'), from)).toMatchObject({ sipCode: 403 });
    const lines = rig.logs.lines();
    expect(
      lines.some(
        (l) =>
          l.level === 'warn' &&
          l.message === 'Genesys says the notification channel is no longer subscribed; subscribing its topics again' &&
          l.channelId === channelId,
      ),
    ).toBe(true);
  });

  it('revoked tokens (token_revoked, then the socket closed): a fresh token, one new channel on it, a poll, and pushes again', async () => {
    rig = await startMonitorRig();
    await startAndSettle(rig);
    const old = rig.sim.state.channels.list()[0]!;
    const before = rig.sim.stats();
    const moved = nextEvent(rig.monitor, 'channelOpened');
    const repolled = nextEvent(rig.monitor, 'poll', (p) => p.reason === 'reconnect');

    rig.sim.control.revokeTokens();
    const info = await moved;
    expect(info.reason).toBe('token_revoked');
    await repolled;

    const now = rig.sim.state.channels.list();
    expect(now.map((c) => c.id)).toEqual([info.channelId]);
    expect(now[0]!.token).not.toBe(old.token);
    expect([...now[0]!.topics].sort()).toEqual(EXTERNAL_TOPICS);
    const after = rig.sim.stats();
    // The channel request made with the revoked token was refused once and answered after one refresh: no loop.
    expect(after.tokensIssued - before.tokensIssued).toBe(1);
    expect(after.callsWithRevokedToken - before.callsWithRevokedToken).toBeLessThanOrEqual(2);
    expect(after.channelsCreated - before.channelsCreated).toBe(1);

    const from = rig.sink.sightings.length;
    rig.sim.control.setTrunkState(defaultTrunkIds.lumenPrimary, { state: 'rejected', sipCode: 403 });
    await rig.sink.waitFor(isNotification(defaultTrunkIds.lumenPrimary, 'rejected'), from);
    expect(rig.sim.control.listChannels().filter((c) => c.connected)).toHaveLength(1);
  });

  it('token_revoked alone (the socket left open): the topics move to a new channel on the current token, make-before-break', async () => {
    rig = await startMonitorRig();
    await startAndSettle(rig);
    const old = rig.sim.state.channels.list()[0]!;
    const before = rig.sim.stats();
    const moved = nextEvent(rig.monitor, 'channelOpened', (i) => i.reason === 'token_revoked');
    const repolled = nextEvent(rig.monitor, 'poll', (p) => p.reason === 'reconnect');

    expect(rig.sim.control.sendTokenRevoked()).toBe(1);
    const info = await moved;
    await repolled;
    expect(info.channelId).not.toBe(old.id);
    expect(rig.sim.stats().tokensIssued).toBe(before.tokensIssued);
    expect(rig.sim.state.channels.get(info.channelId)!.token).toBe(old.token);

    const from = rig.sink.sightings.length;
    rig.sim.control.setTrunkState(defaultTrunkIds.lumenSecondary, { state: 'dropped' });
    await rig.sink.waitFor(isNotification(defaultTrunkIds.lumenSecondary, 'dropped'), from);
    const channels = rig.sim.control.listChannels();
    expect(channels.find((c) => c.id === info.channelId)).toMatchObject({ connected: true });
    expect(channels.find((c) => c.id === old.id)).toMatchObject({ connected: false });
  });
});
