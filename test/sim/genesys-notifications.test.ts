import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  defaultTrunkIds,
  startGenesysSim,
  TRUNK_TOPIC_PREFIX,
  TRUNKGATE_ROLE,
  type GenesysChannel,
  type GenesysChannelListing,
  type GenesysChannelTopicListing,
  type GenesysSim,
  type GenesysSimOptions,
  type GenesysTokenResponse,
} from '../../src/sim/genesys/index.js';
import { isHeartbeat, isPong, openTestSocket } from '../support/ws-client.js';

const START = Date.parse('2025-03-01T09:00:00.000Z');
const CHANNELS = '/api/v2/notifications/channels';
const TWILIO_TOPIC = `${TRUNK_TOPIC_PREFIX}${defaultTrunkIds.twilio}`;
const PRIMARY_TOPIC = `${TRUNK_TOPIC_PREFIX}${defaultTrunkIds.lumenPrimary}`;
const topics = (...ids: string[]) => ids.map((id) => ({ id }));

describe('Genesys simulator: Notifications API', () => {
  let now = START;
  let sim: GenesysSim;
  let token: string;

  const grant = async (clientId = DEMO_CLIENT_ID, secret = DEMO_CLIENT_SECRET) => {
    const res = await fetch(`${sim.url}/oauth/token`, {
      method: 'POST',
      headers: {
        Authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    return ((await res.json()) as GenesysTokenResponse).access_token;
  };
  const api = (method: string, path: string, body?: unknown, t = token) =>
    fetch(`${sim.url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${t}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const createChannel = async (t = token) => (await (await api('POST', CHANNELS, undefined, t)).json()) as GenesysChannel;
  const subscriptions = async (id: string) =>
    ((await (await api('GET', `${CHANNELS}/${id}/subscriptions`)).json()) as GenesysChannelTopicListing).entities.map((e) => e.id);

  const start = async (options: GenesysSimOptions = {}) => {
    now = START;
    sim = await startGenesysSim({ clock: () => now, ...options });
    token = await grant();
  };
  beforeEach(() => start());
  afterEach(() => sim.close());

  describe('channels', () => {
    it('POST /channels answers id, a ws:// connectUri on the simulator and expires 24 h ahead; HEAD finds it', async () => {
      const res = await api('POST', CHANNELS);
      expect(res.status).toBe(200);
      const channel = (await res.json()) as GenesysChannel;
      expect(channel.connectUri).toBe(`ws://127.0.0.1:${sim.server.port}/channels/${channel.id}`);
      expect(channel.expires).toBe('2025-03-02T09:00:00.000Z');
      expect((await api('HEAD', `${CHANNELS}/${channel.id}`)).status).toBe(200);
      expect((await api('HEAD', `${CHANNELS}/streaming-0-nope`)).status).toBe(404);
      expect(sim.stats().channelsCreated).toBe(1);
    });

    it('GET /channels lists the channels of this token, or of the whole client with includechannels=oauthclient', async () => {
      const mine = await createChannel();
      const other = await createChannel(await grant());
      const own = (await (await api('GET', CHANNELS)).json()) as GenesysChannelListing;
      expect(own.entities.map((c) => c.id)).toEqual([mine.id]);
      const all = (await (await api('GET', `${CHANNELS}?includechannels=oauthclient`)).json()) as GenesysChannelListing;
      expect(all.entities.map((c) => c.id).sort()).toEqual([mine.id, other.id].sort());
    });

    it('another OAuth client cannot see or use the channel', async () => {
      await start({
        clients: [
          { clientId: DEMO_CLIENT_ID, clientSecret: DEMO_CLIENT_SECRET, roles: [TRUNKGATE_ROLE] },
          { clientId: 'other', clientSecret: 'other-secret', roles: [TRUNKGATE_ROLE] },
        ],
      });
      const channel = await createChannel();
      const otherToken = await grant('other', 'other-secret');
      expect((await api('HEAD', `${CHANNELS}/${channel.id}`, undefined, otherToken)).status).toBe(404);
      expect((await api('PUT', `${CHANNELS}/${channel.id}/subscriptions`, topics(TWILIO_TOPIC), otherToken)).status).toBe(404);
    });

    it('the 21st channel of a client evicts the oldest, unconnected ones first, and closes its socket', async () => {
      const first = await createChannel();
      const firstSocket = await openTestSocket(first.connectUri);
      now += 1_000;
      const second = await createChannel();
      for (let i = 0; i < 18; i++) await createChannel();
      expect(sim.control.listChannels()).toHaveLength(20);
      await createChannel();
      const ids = sim.control.listChannels().map((c) => c.id);
      expect(ids).toHaveLength(20);
      expect(ids).toContain(first.id); // connected, so kept although older
      expect(ids).not.toContain(second.id);

      // Once every channel has a socket, the least recently used goes, socket and all.
      for (const c of sim.control.listChannels().filter((c) => !c.connected)) {
        now += 1_000;
        await openTestSocket(`ws://127.0.0.1:${sim.server.port}/channels/${c.id}`);
      }
      await createChannel();
      expect(sim.control.listChannels().map((c) => c.id)).not.toContain(first.id);
      expect(await firstSocket.closed).toBe(1000);
      expect(sim.stats().channelsEvicted).toBe(2);
    });

    it('a channel ends after 24 h unless re-subscribed; its socket is closed', async () => {
      await start({ tokenLifetimeSec: 172_800 }); // the longest token lifetime, so the channel's own 24 h decide
      const channel = await createChannel();
      await api('PUT', `${CHANNELS}/${channel.id}/subscriptions`, topics(TWILIO_TOPIC));
      now += 23 * 3_600_000;
      await api('PUT', `${CHANNELS}/${channel.id}/subscriptions`, topics(TWILIO_TOPIC)); // starts the 24 h again
      now += 23 * 3_600_000;
      expect((await api('HEAD', `${CHANNELS}/${channel.id}`)).status).toBe(200);
      const socket = await openTestSocket(channel.connectUri);
      now += 3_600_000;
      expect((await api('HEAD', `${CHANNELS}/${channel.id}`)).status).toBe(404);
      expect(await socket.closed).toBe(1000);
    });

    it('a channel dies with the token that created it (revoked or expired), not with a later one', async () => {
      const channel = await createChannel();
      const socket = await openTestSocket(channel.connectUri);
      const newer = await grant();
      expect((await api('PUT', `${CHANNELS}/${channel.id}/subscriptions`, topics(TWILIO_TOPIC), newer)).status).toBe(200);
      expect((await api('DELETE', '/api/v2/tokens/me')).status).toBe(204);
      expect(await socket.closed).toBe(1000);
      expect((await api('HEAD', `${CHANNELS}/${channel.id}`, undefined, newer)).status).toBe(404);

      await start({ tokenLifetimeSec: 600 });
      const second = await createChannel();
      now += 600_000;
      expect((await api('HEAD', `${CHANNELS}/${second.id}`, undefined, await grant())).status).toBe(404);
    });

    it('a socket to an unknown channel is refused with 404', async () => {
      await expect(openTestSocket(`ws://127.0.0.1:${sim.server.port}/channels/streaming-0-nope`)).rejects.toThrow(/404/);
    });
  });

  describe('subscriptions', () => {
    it('PUT replaces, POST adds, GET lists, DELETE clears; duplicates count once', async () => {
      const { id } = await createChannel();
      const put = await api('PUT', `${CHANNELS}/${id}/subscriptions`, topics(TWILIO_TOPIC, TWILIO_TOPIC));
      expect(put.status).toBe(200);
      expect(((await put.json()) as GenesysChannelTopicListing).entities).toEqual([{ id: TWILIO_TOPIC }]);
      await api('POST', `${CHANNELS}/${id}/subscriptions`, topics(PRIMARY_TOPIC));
      expect(await subscriptions(id)).toEqual([TWILIO_TOPIC, PRIMARY_TOPIC]);
      await api('PUT', `${CHANNELS}/${id}/subscriptions`, topics(PRIMARY_TOPIC));
      expect(await subscriptions(id)).toEqual([PRIMARY_TOPIC]);
      expect((await api('DELETE', `${CHANNELS}/${id}/subscriptions`)).status).toBe(204);
      expect(await subscriptions(id)).toEqual([]);
      expect((await api('GET', `${CHANNELS}/streaming-0-nope/subscriptions`)).status).toBe(404);
    });

    it('refuses more than 1000 topics per channel with 400 and keeps the old subscriptions', async () => {
      const { id } = await createChannel();
      const many = Array.from({ length: 1000 }, (_, i) => `${TRUNK_TOPIC_PREFIX}t${i}`);
      expect((await api('PUT', `${CHANNELS}/${id}/subscriptions`, topics(...many))).status).toBe(200);
      const over = await api('POST', `${CHANNELS}/${id}/subscriptions`, topics(TWILIO_TOPIC));
      expect(over.status).toBe(400);
      expect(await over.json()).toMatchObject({ status: 400, code: 'bad.request', message: expect.stringContaining('1000') });
      expect((await api('PUT', `${CHANNELS}/${id}/subscriptions`, topics(...many, TWILIO_TOPIC))).status).toBe(400);
      expect(await subscriptions(id)).toHaveLength(1000);
    });

    it('a client whose roles lack the trunk permission gets 403 for the whole request, whatever its scopes', async () => {
      await start({
        clients: [
          {
            clientId: DEMO_CLIENT_ID,
            clientSecret: DEMO_CLIENT_SECRET,
            scopes: ['notifications', 'telephony'],
            roles: [{ name: 'presence', permissions: ['presence:userPresence:view'] }],
          },
        ],
      });
      const { id } = await createChannel();
      const res = await api('PUT', `${CHANNELS}/${id}/subscriptions`, topics('v2.users.u1.presence', TWILIO_TOPIC));
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({
        code: 'missing.any.permissions',
        message: expect.stringContaining('[telephony:plugin:all]'),
      });
      expect(await subscriptions(id)).toEqual([]);
      sim.control.setClientRoles(DEMO_CLIENT_ID, [TRUNKGATE_ROLE]);
      expect((await api('PUT', `${CHANNELS}/${id}/subscriptions`, topics(TWILIO_TOPIC))).status).toBe(200);
    });

    it.each([[{ id: TWILIO_TOPIC }], [[{ topic: TWILIO_TOPIC }]], [[{ id: '' }]]])('refuses a malformed body %j with 400', async (body) => {
      const { id } = await createChannel();
      expect((await api('PUT', `${CHANNELS}/${id}/subscriptions`, body)).status).toBe(400);
    });
  });

  describe('the socket', () => {
    it('pushes a subscribed trunk change as {topicName, version, eventBody, metadata}; other sockets get nothing', async () => {
      const subscribed = await createChannel();
      const other = await createChannel();
      await api('PUT', `${CHANNELS}/${subscribed.id}/subscriptions`, topics(TWILIO_TOPIC));
      await api('PUT', `${CHANNELS}/${other.id}/subscriptions`, topics(PRIMARY_TOPIC));
      const socket = await openTestSocket(subscribed.connectUri);
      const otherSocket = await openTestSocket(other.connectUri);

      sim.control.setTrunkState(defaultTrunkIds.twilio, { state: 'rejected', sipCode: 403 });
      const event = await socket.next((f) => f.topicName === TWILIO_TOPIC);
      expect(event).toEqual({
        topicName: TWILIO_TOPIC,
        version: '2',
        eventBody: {
          id: defaultTrunkIds.twilio,
          connectedStatus: { connected: false, connectedStateTime: '2025-03-01T09:00:00.000Z' },
          optionsStatus: [expect.objectContaining({ proxyAddress: 'acme.pstn.twilio.example.com:5060', optionState: true })],
          registersStatus: [expect.objectContaining({ registerState: false, errorInfo: expect.objectContaining({ code: '403' }) })],
          ipStatus: { address: '198.51.100.12' },
        },
        metadata: { CorrelationId: expect.any(String) },
      });
      // The other socket is subscribed to the primary trunk only: its change comes, the Twilio one never came first.
      sim.control.setTrunkState(defaultTrunkIds.lumenPrimary, { state: 'dropped' });
      await otherSocket.next((f) => f.topicName === PRIMARY_TOPIC);
      expect(otherSocket.frames.filter((f) => f.topicName === TWILIO_TOPIC)).toEqual([]);
      expect(sim.stats().notificationsSent).toBe(2);
    });

    it('sends heartbeats every intervalMs and answers {"message":"ping"} with a pong', async () => {
      await start({ notifications: { heartbeatIntervalMs: 20 } });
      const socket = await openTestSocket((await createChannel()).connectUri);
      expect(await socket.next(isHeartbeat)).toEqual({ topicName: 'channel.metadata', eventBody: { message: 'WebSocket Heartbeat' } });
      socket.send({ message: 'ping' });
      expect(await socket.next(isPong)).toEqual({ topicName: 'channel.metadata', eventBody: { message: 'pong' } });
      expect(sim.stats().socketConnections).toBe(1);
    });

    it('a second socket on the same channel replaces the first', async () => {
      const channel = await createChannel();
      const first = await openTestSocket(channel.connectUri);
      await openTestSocket(channel.connectUri);
      expect(await first.closed).toBe(1000);
      expect(sim.control.listChannels()[0]!.connected).toBe(true);
    });
  });

  describe('faults', () => {
    it('sendSocketClosing announces v2.system.socket_closing, then closes the socket after graceMs', async () => {
      const channel = await createChannel();
      const socket = await openTestSocket(channel.connectUri);
      expect(sim.control.sendSocketClosing({ graceMs: 10 })).toBe(1);
      expect(await socket.next((f) => f.topicName === 'v2.system.socket_closing')).toMatchObject({
        version: '2',
        eventBody: { channelId: channel.id, message: expect.any(String) },
      });
      expect(await socket.closed).toBe(1001);
      expect((await api('HEAD', `${CHANNELS}/${channel.id}`)).status).toBe(200); // the channel itself lives on
    });

    it('dropSockets cuts every socket without a close frame', async () => {
      const a = await openTestSocket((await createChannel()).connectUri);
      const b = await openTestSocket((await createChannel()).connectUri);
      expect(sim.control.dropSockets()).toBe(2);
      expect(await a.closed).toBe(1006);
      expect(await b.closed).toBe(1006);
    });

    it('expireChannel ends a channel now; an unknown one is not_found', async () => {
      const channel = await createChannel();
      const socket = await openTestSocket(channel.connectUri);
      sim.control.expireChannel(channel.id);
      expect(await socket.closed).toBe(1000);
      expect(sim.control.listChannels()).toEqual([]);
      expect(() => sim.control.expireChannel('streaming-0-nope')).toThrow(/no channel/);
    });

    it('setHeartbeats changes the period and can stop them; reset restores them and removes channels', async () => {
      sim.control.setHeartbeats({ enabled: false });
      expect(sim.control.settings().heartbeats).toEqual({ enabled: false, intervalMs: 30_000 });
      sim.control.setHeartbeats({ enabled: true, intervalMs: 15 });
      const socket = await openTestSocket((await createChannel()).connectUri);
      await socket.next(isHeartbeat);
      expect(() => sim.control.setHeartbeats({ enabled: 'yes' as unknown as boolean })).toThrow(/enabled/);
      sim.control.reset();
      expect(sim.control.settings().heartbeats).toEqual({ enabled: true, intervalMs: 30_000 });
      expect(await socket.closed).toBe(1000);
    });

    it('the same faults over HTTP under /__sim/genesys/channels', async () => {
      const control = (path: string, body: unknown = {}) =>
        fetch(`${sim.url}/__sim/genesys${path}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(body),
        });
      const channel = await createChannel();
      await api('PUT', `${CHANNELS}/${channel.id}/subscriptions`, topics(TWILIO_TOPIC));
      const socket = await openTestSocket(channel.connectUri);
      const listed = (await (await fetch(`${sim.url}/__sim/genesys/channels`)).json()) as { channels: unknown[] };
      expect(listed.channels).toEqual([
        { id: channel.id, clientId: DEMO_CLIENT_ID, topics: [TWILIO_TOPIC], connected: true, expires: channel.expires },
      ]);

      expect(await (await control('/channels/socket-closing', { channelId: channel.id, graceMs: 60_000 })).json()).toEqual({ warned: 1 });
      await socket.next((f) => f.topicName === 'v2.system.socket_closing');
      expect(((await (await control('/channels/heartbeats', { enabled: false })).json()) as { heartbeats: unknown }).heartbeats).toEqual({
        enabled: false,
        intervalMs: 30_000,
      });
      expect((await control('/channels/heartbeats', { intervalMs: 5 })).status).toBe(400);
      expect(await (await control('/channels/drop')).json()).toEqual({ dropped: 1 });
      expect(await socket.closed).toBe(1006);
      expect(await (await control(`/channels/${channel.id}/expire`)).json()).toEqual({ expired: channel.id });
      expect((await control(`/channels/${channel.id}/expire`)).status).toBe(404);
    });
  });

  describe('system topics', () => {
    const subscribedSocket = async () => {
      const channel = await createChannel();
      await api('PUT', `${CHANNELS}/${channel.id}/subscriptions`, topics(TWILIO_TOPIC));
      return { channel, socket: await openTestSocket(channel.connectUri) };
    };
    const systemBody = (channelId: string, kind: string) => ({
      channelId,
      systemTopicType: kind,
      correlationId: expect.any(String),
      oauthClientId: DEMO_CLIENT_ID,
      reason: kind,
      message: expect.any(String),
    });

    it("sendNoLongerSubscribed drops the channel's subscriptions (not its 24 h) and says so; events come again once re-subscribed", async () => {
      const { channel, socket } = await subscribedSocket();
      const { channel: other } = await subscribedSocket();
      now += 3_600_000;
      expect(sim.control.sendNoLongerSubscribed({ channelId: channel.id })).toBe(1);
      expect(await socket.next((f) => f.topicName === `v2.system.no_longer_subscribed.${channel.id}`)).toEqual({
        topicName: `v2.system.no_longer_subscribed.${channel.id}`,
        version: '2',
        eventBody: systemBody(channel.id, 'no_longer_subscribed'),
      });
      expect(await subscriptions(channel.id)).toEqual([]);
      expect(await subscriptions(other.id)).toEqual([TWILIO_TOPIC]);
      expect(sim.control.listChannels().find((c) => c.id === channel.id)).toMatchObject({ connected: true, expires: channel.expires });

      sim.control.setTrunkState(defaultTrunkIds.twilio, { state: 'dropped' }); // lost: nothing subscribed
      await api('PUT', `${CHANNELS}/${channel.id}/subscriptions`, topics(TWILIO_TOPIC));
      sim.control.setTrunkState(defaultTrunkIds.twilio, { state: 'registered' });
      const events = await socket.next((f) => f.topicName === TWILIO_TOPIC);
      expect((events.eventBody as { connectedStatus: { connected: boolean } }).connectedStatus.connected).toBe(true);
      expect(socket.frames.filter((f) => f.topicName === TWILIO_TOPIC)).toHaveLength(1);
      expect(sim.control.sendNoLongerSubscribed()).toBe(2);
    });

    it("revoking tokens sends v2.system.token_revoked.{id} to their channels' sockets, then closes them", async () => {
      const { channel, socket } = await subscribedSocket();
      expect(sim.control.revokeTokens()).toBe(1);
      expect(await socket.next((f) => f.topicName === `v2.system.token_revoked.${channel.id}`)).toEqual({
        topicName: `v2.system.token_revoked.${channel.id}`,
        version: '2',
        eventBody: systemBody(channel.id, 'token_revoked'),
      });
      expect(await socket.closed).toBe(1000);
      expect((await api('HEAD', `${CHANNELS}/${channel.id}`, undefined, await grant())).status).toBe(404);
    });

    it('sendTokenRevoked sends the frame alone: the token, the channel and the socket stay', async () => {
      const { channel, socket } = await subscribedSocket();
      expect(sim.control.sendTokenRevoked({ channelId: 'streaming-0-nope' })).toBe(0);
      expect(sim.control.sendTokenRevoked()).toBe(1);
      await socket.next((f) => f.topicName === `v2.system.token_revoked.${channel.id}`);
      socket.send({ message: 'ping' });
      await socket.next(isPong);
      expect((await api('HEAD', `${CHANNELS}/${channel.id}`)).status).toBe(200);
      expect(await subscriptions(channel.id)).toEqual([TWILIO_TOPIC]);
    });

    it('the same over HTTP: POST /__sim/genesys/channels/no-longer-subscribed and /channels/token-revoked', async () => {
      const { channel, socket } = await subscribedSocket();
      const control = (path: string, body: unknown = {}) =>
        fetch(`${sim.url}/__sim/genesys${path}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(body),
        });
      expect(await (await control('/channels/token-revoked', { channelId: channel.id })).json()).toEqual({ warned: 1 });
      await socket.next((f) => f.topicName === `v2.system.token_revoked.${channel.id}`);
      expect(await (await control('/channels/no-longer-subscribed', { channelId: channel.id })).json()).toEqual({ unsubscribed: 1 });
      await socket.next((f) => f.topicName === `v2.system.no_longer_subscribed.${channel.id}`);
      expect(await subscriptions(channel.id)).toEqual([]);
      expect((await control('/channels/no-longer-subscribed', { channelId: 7 })).status).toBe(400);
    });
  });

  describe('partial trunk events', () => {
    const twilioEvents = async () => {
      const channel = await createChannel();
      await api('PUT', `${CHANNELS}/${channel.id}/subscriptions`, topics(TWILIO_TOPIC));
      const socket = await openTestSocket(channel.connectUri);
      let seen = 0;
      return async () => {
        const frame = await socket.next((f) => f.topicName === TWILIO_TOPIC, seen);
        seen = socket.frames.indexOf(frame) + 1;
        return frame.eventBody as Record<string, unknown>;
      };
    };
    const keys = (body: Record<string, unknown>) => Object.keys(body).sort();

    it('setPartialEvents({enabled: true}) sends id and the fields that changed; omit leaves fields out; off sends snapshots again', async () => {
      const next = await twilioEvents();
      sim.control.setPartialEvents({ enabled: true });
      expect(sim.control.settings().partialEvents).toEqual({ enabled: true, changedOnly: true, omit: [] });
      // A rejected REGISTER: registration and connection change, OPTIONS still answered, address the same.
      sim.control.setTrunkState(defaultTrunkIds.twilio, { state: 'rejected', sipCode: 403 });
      const rejected = await next();
      expect(keys(rejected)).toEqual(['connectedStatus', 'id', 'registersStatus']);
      expect(rejected).toMatchObject({
        id: defaultTrunkIds.twilio,
        connectedStatus: { connected: false },
        registersStatus: [expect.objectContaining({ registerState: false })],
      });

      sim.control.setPartialEvents({ enabled: true, omit: ['registersStatus'] });
      sim.control.setTrunkState(defaultTrunkIds.twilio, { state: 'registered' });
      expect(await next()).toEqual({
        id: defaultTrunkIds.twilio,
        connectedStatus: { connected: true, connectedStateTime: expect.any(String) },
      });

      sim.control.setPartialEvents({ enabled: true, changedOnly: false, omit: ['ipStatus', 'optionsStatus'] });
      sim.control.setTrunkState(defaultTrunkIds.twilio, { state: 'dropped' });
      expect(keys(await next())).toEqual(['connectedStatus', 'id', 'registersStatus']);

      sim.control.setPartialEvents({ enabled: false });
      sim.control.setTrunkState(defaultTrunkIds.twilio, { state: 'registered' });
      expect(keys(await next())).toEqual(['connectedStatus', 'id', 'ipStatus', 'optionsStatus', 'registersStatus']);
    });

    it("compares with the trunk's previous state even when the change before was sent in full", async () => {
      const next = await twilioEvents();
      sim.control.setTrunkState(defaultTrunkIds.twilio, { state: 'dropped' });
      expect(keys(await next())).toHaveLength(5);
      sim.control.setPartialEvents({ enabled: true });
      // From dropped to rejected: OPTIONS are answered again and the REGISTER error changes; still disconnected.
      sim.control.setTrunkState(defaultTrunkIds.twilio, { state: 'rejected' });
      expect(keys(await next())).toEqual(['id', 'optionsStatus', 'registersStatus']);
    });

    it('refuses unknown fields; reset() sends full snapshots again', async () => {
      expect(() => sim.control.setPartialEvents({ enabled: true, omit: ['registerStatus' as never] })).toThrow(/omit/);
      expect(() => sim.control.setPartialEvents({ enabled: 'yes' as never })).toThrow(/enabled/);
      sim.control.setPartialEvents({ enabled: true, omit: ['ipStatus'] });
      sim.control.reset();
      expect(sim.control.settings().partialEvents).toEqual({ enabled: false, changedOnly: true, omit: [] });
    });

    it("pushTrunkEvent delivers any body as is to the trunk's subscribers", async () => {
      const next = await twilioEvents();
      const body = { id: defaultTrunkIds.twilio, connectedStatus: { connected: false, connectedStateTime: '2025-03-01T09:00:00.000Z' } };
      expect(sim.control.pushTrunkEvent(defaultTrunkIds.twilio, body)).toBe(1);
      expect(await next()).toEqual(body);
      expect(sim.control.pushTrunkEvent(defaultTrunkIds.lumenPrimary, body)).toBe(0);
      expect(sim.stats().notificationsSent).toBe(1);
    });

    it('the same over HTTP: POST /__sim/genesys/notifications/partial and /trunks/{id}/events', async () => {
      const next = await twilioEvents();
      const control = (path: string, body: unknown) =>
        fetch(`${sim.url}/__sim/genesys${path}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(body),
        });
      const settings = (await (await control('/notifications/partial', { enabled: true, omit: ['ipStatus'] })).json()) as {
        partialEvents: unknown;
      };
      expect(settings.partialEvents).toEqual({ enabled: true, changedOnly: true, omit: ['ipStatus'] });
      expect((await control('/notifications/partial', { enabled: true, omit: 'ipStatus' })).status).toBe(400);
      expect(await (await control(`/trunks/${defaultTrunkIds.twilio}/events`, { registersStatus: [] })).json()).toEqual({ delivered: 1 });
      expect(await next()).toEqual({ registersStatus: [] });
      expect((await control(`/trunks/${defaultTrunkIds.twilio}/events`, [1])).status).toBe(400);
    });
  });

  it('generatedTrunks seeds that many registered EXTERNAL trunks after the defaults', async () => {
    await start({ generatedTrunks: 200 });
    const external = sim.control.listTrunks().filter((t) => t.trunkType === 'EXTERNAL');
    expect(external).toHaveLength(206);
    expect(new Set(external.map((t) => t.id)).size).toBe(206);
    expect(external.every((t) => t.registersStatus.every((r) => r.registerState))).toBe(true);
  });
});
