import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  orgTrunkIds,
  startGenesysSim,
  TRUNK_TOPIC_PREFIX,
  type GenesysChannel,
  type GenesysChannelListing,
  type GenesysSim,
} from '../../src/sim/genesys/index.js';
import { openTestSocket, type TestSocket } from '../support/ws-client.js';
import { orgsClient } from './orgs-client.js';

const CHANNELS = '/api/v2/notifications/channels';
const ACME_TRUNK = orgTrunkIds('acme').twilio;
const GLOBEX_TRUNK = orgTrunkIds('globex').twilio;
const topic = (id: string) => `${TRUNK_TOPIC_PREFIX}${id}`;
const isTrunkEvent = (id: string) => (f: Record<string, unknown>) => f.topicName === topic(id);

describe('Genesys simulator: several orgs, Notifications API', () => {
  let sim: GenesysSim;
  const sockets: TestSocket[] = [];
  const { token, api } = orgsClient(() => sim);

  /** A channel of the org, subscribed to these trunks' topics, with its socket open. */
  const listen = async (org: string, trunkIds: string[]) => {
    const t = await token(org);
    const channel = (await (await api(t, CHANNELS, { method: 'POST' })).json()) as GenesysChannel;
    const put = await api(t, `${CHANNELS}/${channel.id}/subscriptions`, { method: 'PUT', body: trunkIds.map((id) => ({ id: topic(id) })) });
    expect(put.status).toBe(200);
    const socket = await openTestSocket(channel.connectUri);
    sockets.push(socket);
    return { token: t, channel, socket };
  };

  beforeEach(async () => {
    sim = await startGenesysSim({ orgs: [{ name: 'acme' }, { name: 'globex' }] });
  });
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.close();
    await sim.close();
  });

  it("a trunk change reaches only its own org's channels, even one subscribed to the same topic in another org", async () => {
    const acme = await listen('acme', [ACME_TRUNK]);
    const globex = await listen('globex', [ACME_TRUNK, GLOBEX_TRUNK]);

    sim.control.org('acme').setTrunkState(ACME_TRUNK, { state: 'rejected', sipCode: 403 });
    expect(await acme.socket.next(isTrunkEvent(ACME_TRUNK))).toMatchObject({ eventBody: { id: ACME_TRUNK } });
    // globex's own change arrives after acme's would have: its socket works, and never saw acme's trunk.
    sim.control.setTrunkState(GLOBEX_TRUNK, { state: 'dropped' });
    await globex.socket.next(isTrunkEvent(GLOBEX_TRUNK));
    expect(globex.socket.frames.filter(isTrunkEvent(ACME_TRUNK))).toEqual([]);
    expect(acme.socket.frames.filter(isTrunkEvent(GLOBEX_TRUNK))).toEqual([]);
    expect(sim.control.statsByOrg()).toMatchObject({ acme: { notificationsSent: 1 }, globex: { notificationsSent: 1 } });
    expect(sim.stats().notificationsSent).toBe(2);
  });

  it("another org's channel is not found: HEAD, its subscriptions and the channel list", async () => {
    const acme = await listen('acme', [ACME_TRUNK]);
    const globexToken = await token('globex');
    expect((await api(globexToken, `${CHANNELS}/${acme.channel.id}`, { method: 'HEAD' })).status).toBe(404);
    expect((await api(globexToken, `${CHANNELS}/${acme.channel.id}/subscriptions`)).status).toBe(404);
    const put = await api(globexToken, `${CHANNELS}/${acme.channel.id}/subscriptions`, {
      method: 'PUT',
      body: [{ id: topic(GLOBEX_TRUNK) }],
    });
    expect(put.status).toBe(404);
    const listed = (await (await api(globexToken, `${CHANNELS}?includechannels=oauthclient`)).json()) as GenesysChannelListing;
    expect(listed.entities).toEqual([]);
    expect((await api(acme.token, `${CHANNELS}/${acme.channel.id}`, { method: 'HEAD' })).status).toBe(200);
  });

  it("an org's control drops, warns and revokes only that org's sockets and channels; the simulator's reaches every org", async () => {
    const acme = await listen('acme', [ACME_TRUNK]);
    const globex = await listen('globex', [GLOBEX_TRUNK]);
    expect(
      sim.control
        .org('acme')
        .listChannels()
        .map((c) => c.id),
    ).toEqual([acme.channel.id]);
    expect(
      sim.control
        .listChannels()
        .map((c) => c.id)
        .sort(),
    ).toEqual([acme.channel.id, globex.channel.id].sort());
    expect(() => sim.control.org('globex').expireChannel(acme.channel.id)).toThrow(/no channel/);

    expect(sim.control.org('acme').sendTokenRevoked()).toBe(1);
    expect(sim.control.org('acme').dropSockets()).toBe(1);
    expect(await acme.socket.closed).toBe(1006);
    expect(sim.control.org('globex').listChannels()[0]!.connected).toBe(true);
    expect(globex.socket.frames.some((f) => String(f.topicName).startsWith('v2.system.'))).toBe(false);

    expect(sim.control.org('acme').revokeTokens()).toBe(1);
    expect(sim.control.org('acme').listChannels()).toEqual([]);
    expect(sim.control.org('globex').listChannels()).toHaveLength(1);
    expect(sim.control.sendSocketClosing({ graceMs: 0 })).toBe(1);
    expect(await globex.socket.closed).toBe(1001);
  });

  it("heartbeats and partial events are set per org by an org's control, for every org by the simulator's", () => {
    sim.control.org('globex').setHeartbeats({ enabled: false });
    sim.control.org('acme').setPartialEvents({ enabled: true });
    expect(sim.control.org('globex').settings()).toMatchObject({ orgs: ['globex'], heartbeats: { enabled: false } });
    expect(sim.control.org('acme').settings()).toMatchObject({ heartbeats: { enabled: true }, partialEvents: { enabled: true } });
    expect(sim.control.org('globex').settings().partialEvents.enabled).toBe(false);
    sim.control.setPartialEvents({ enabled: true, omit: ['ipStatus'] });
    expect(sim.control.org('globex').settings().partialEvents).toEqual({ enabled: true, changedOnly: true, omit: ['ipStatus'] });
  });
});
