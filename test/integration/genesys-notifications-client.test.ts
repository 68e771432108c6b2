import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Upstreams } from '../../src/app/create-upstreams.js';
import type { UpstreamCredentials } from '../../src/credentials/upstream-credentials.js';
import { UpstreamError, UpstreamUnavailableError } from '../../src/errors/app-error.js';
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  defaultTrunkIds,
  startGenesysSim,
  TRUNK_TOPIC_PREFIX,
  type GenesysSim,
  type GenesysSimOptions,
} from '../../src/sim/genesys/index.js';
import { systemClock } from '../../src/time/clock.js';
import { GenesysClient } from '../../src/upstream/genesys-client.js';
import { GenesysNotificationsClient, upstreamStatusOf } from '../../src/upstream/genesys-notifications-client.js';
import { WsSocketConnector } from '../../src/upstream/notification-socket.js';
import { unpaced } from '../../src/upstream/upstream-pacer.js';
import { createHttpClient } from '../../src/net/http-client.js';
import { testUpstreams } from '../support/upstreams.js';

const TOPIC = `${TRUNK_TOPIC_PREFIX}${defaultTrunkIds.twilio}`;

describe('GenesysNotificationsClient and WsSocketConnector against the simulator', () => {
  let sim: GenesysSim;
  let client: GenesysNotificationsClient;
  let upstreams: Upstreams;
  let credentials: UpstreamCredentials;
  const connector = new WsSocketConnector({ handshakeTimeoutMs: 5_000 });

  const start = async (options: GenesysSimOptions = {}) => {
    sim = await startGenesysSim(options);
    // Genesys as createApp builds it, each call given 1 s.
    upstreams = testUpstreams({
      GENESYS_LOGIN_URL: sim.url,
      GENESYS_API_URL: sim.url,
      GENESYS_CLIENT_ID: DEMO_CLIENT_ID,
      GENESYS_CLIENT_SECRET: DEMO_CLIENT_SECRET,
      ACTION_TIMEOUT_MS: '1000',
    });
    credentials = upstreams.genesys.credentials;
    client = new GenesysNotificationsClient(upstreams.genesys.client);
  };
  beforeEach(() => start());
  afterEach(async () => {
    credentials.stop();
    await upstreams.close();
    await sim.close();
  });

  it('creates a channel, replaces and adds subscriptions, and checks it with HEAD', async () => {
    const channel = await client.createChannel();
    expect(channel).toEqual({
      id: expect.stringMatching(/^streaming-0-/),
      connectUri: `ws://127.0.0.1:${sim.server.port}/channels/${channel.id}`,
      expires: expect.any(String),
    });
    await client.replaceSubscriptions(channel.id, [TOPIC]);
    await client.addSubscriptions(channel.id, [`${TRUNK_TOPIC_PREFIX}${defaultTrunkIds.acmePbx}`]);
    expect(sim.control.listChannels()[0]!.topics).toEqual([TOPIC, `${TRUNK_TOPIC_PREFIX}${defaultTrunkIds.acmePbx}`]);
    await client.replaceSubscriptions(channel.id, []);
    expect(sim.control.listChannels()[0]!.topics).toEqual([]);
    expect(await client.channelExists(channel.id)).toBe(true);
    expect(await client.channelExists('streaming-0-nope')).toBe(false);
  });

  it('a subscription update on a gone channel is an upstream_error carrying status 404', async () => {
    const err = await client.replaceSubscriptions('streaming-0-nope', [TOPIC]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamError);
    expect(upstreamStatusOf(err)).toBe(404);
  });

  it('a client whose role lacks the trunk permission gets a 403 that names the permission and the operation, whatever its scopes', async () => {
    await sim.close();
    credentials.stop();
    await upstreams.close();
    await start({ clients: [{ clientId: DEMO_CLIENT_ID, clientSecret: DEMO_CLIENT_SECRET, scopes: ['notifications', 'telephony'] }] });
    const channel = await client.createChannel();
    const err = await client.replaceSubscriptions(channel.id, [TOPIC]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamError);
    expect((err as Error).message).toBe(
      "Genesys refused PUT notifications subscriptions: the OAuth client's role lacks the permission telephony:plugin:all (missing.any.permissions)",
    );
    expect((err as UpstreamError).details[0]).toMatchObject({
      operation: 'PUT notifications subscriptions',
      status: 403,
      missingPermissions: ['telephony:plugin:all'],
      permissionCode: 'missing.any.permissions',
    });
    expect(upstreamStatusOf(err)).toBe(403);
  });

  it('a subscription answer that lists refused topics is a refusal too, naming their permissions', async () => {
    const listing = {
      entities: [{ id: TOPIC, state: 'Rejected', rejectionReason: 'MissingPermissions', missingPermissions: ['telephony:plugin:all'] }],
    };
    const fake = new GenesysNotificationsClient({ upstream: 'genesys', send: async () => ({ status: 200, body: listing }) });
    const err = await fake.replaceSubscriptions('streaming-0-x', [TOPIC]).catch((e: unknown) => e);
    expect((err as Error).message).toBe(
      `Genesys did not subscribe 1 topic(s) (${TOPIC}): the OAuth client's role lacks the permission telephony:plugin:all`,
    );
    expect((err as UpstreamError).details[0]).toMatchObject({
      operation: 'PUT notifications subscriptions',
      missingPermissions: ['telephony:plugin:all'],
    });
    await expect(
      new GenesysNotificationsClient({
        upstream: 'genesys',
        send: async () => ({ status: 200, body: { entities: [{ id: TOPIC }] } }),
      }).replaceSubscriptions('c', [TOPIC]),
    ).resolves.toBeUndefined();
  });

  it('an unreachable API is upstream_unavailable', async () => {
    await client.createChannel(); // token in hand
    await sim.server.stopListening();
    await expect(client.channelExists('streaming-0-x')).rejects.toBeInstanceOf(UpstreamUnavailableError);
  });

  it('a channel answer without a websocket connectUri is refused', async () => {
    const server = http.createServer((_req, res) =>
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"id":"c1","connectUri":"https://elsewhere"}'),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const staticCredentials = {
      upstream: 'genesys',
      authorize: async () => ({ header: 'Bearer t' }),
      refused: async () => undefined,
      accepted: () => undefined,
    } as unknown as UpstreamCredentials;
    const api = createHttpClient({ baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, timeoutMs: 2_000 });
    const odd = new GenesysNotificationsClient(
      new GenesysClient(api, staticCredentials, { pacer: unpaced, clock: systemClock, defaultTimeoutMs: 2_000 }),
    );
    await expect(odd.createChannel()).rejects.toThrow(/websocket connectUri/);
    await new Promise((r) => server.close(r));
  });

  it('the connector opens a socket that receives frames, reports a drop as 1006, and closes on request', async () => {
    const channel = await client.createChannel();
    await client.replaceSubscriptions(channel.id, [TOPIC]);
    const socket = await connector.connect(channel.connectUri);
    const frames: string[] = [];
    const event = new Promise<void>((resolve) => socket.onMessage((text) => (frames.push(text), resolve())));
    const dropped = new Promise<number>((resolve) => socket.onClose(resolve));
    sim.control.setTrunkState(defaultTrunkIds.twilio, { state: 'dropped' });
    await event;
    expect(JSON.parse(frames[0]!)).toMatchObject({ topicName: TOPIC });
    sim.control.dropSockets();
    expect(await dropped).toBe(1006);

    const again = await connector.connect(channel.connectUri);
    let reported = false;
    again.onClose(() => (reported = true));
    await again.close();
    expect(reported).toBe(false);
    expect(sim.control.listChannels()[0]!.connected).toBe(false);
  });

  it('the connector rejects a socket to an unknown channel', async () => {
    await expect(connector.connect(`ws://127.0.0.1:${sim.server.port}/channels/streaming-0-nope`)).rejects.toThrow(/404/);
  });
});
