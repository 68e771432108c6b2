import platformClient from 'purecloud-platform-client-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, defaultTrunkIds, startGenesysSim, type GenesysSim } from '../../src/sim/genesys/index.js';

// The official Genesys JS SDK is the closest thing to "the real API's own client": if it can log in,
// page, read trunks and decode errors against the simulator, the simulator speaks the same protocol.
describe('Genesys simulator: the official purecloud-platform-client-v2 SDK', () => {
  let sim: GenesysSim;
  const client = platformClient.ApiClient;

  beforeAll(async () => {
    sim = await startGenesysSim();
    // The SDK's gateway setting sends both login and API calls to one host, which is how the simulator serves them.
    client.setGateway({ host: '127.0.0.1', protocol: 'http', port: sim.server.port, path_params_login: '', path_params_api: '' });
  });
  afterAll(() => sim.close());

  it('logs in with client credentials, reads tokens/me, lists EXTERNAL trunks and follows nextUri', async () => {
    const auth = await client.loginClientCredentialsGrant(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET);
    expect(auth.accessToken).toBeTruthy();

    const me = await new platformClient.TokensApi().getTokensMe();
    expect(me.OAuthClient?.id).toBe(DEMO_CLIENT_ID);

    const edgeApi = new platformClient.TelephonyProvidersEdgeApi();
    const page1 = await edgeApi.getTelephonyProvidersEdgesTrunks({ trunkType: 'EXTERNAL', pageSize: 3 });
    expect(page1).toMatchObject({ total: 6, pageCount: 2, pageNumber: 1 });
    expect(page1.nextUri).toContain('pageNumber=2');
    const page2 = await edgeApi.getTelephonyProvidersEdgesTrunks({ trunkType: 'EXTERNAL', pageSize: 3, pageNumber: 2 });
    expect(page2.entities).toHaveLength(3);

    const trunk = await edgeApi.getTelephonyProvidersEdgesTrunk(defaultTrunkIds.twilio);
    expect(trunk.registersStatus?.[0]?.registerState).toBe(true);
  });

  it('creates a notification channel, subscribes, checks it with HEAD and reads its subscriptions', async () => {
    await client.loginClientCredentialsGrant(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET);
    const notifications = new platformClient.NotificationsApi();
    const channel = await notifications.postNotificationsChannels();
    expect(channel.connectUri).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/channels\//);
    const topic = `v2.telephony.providers.edges.trunks.${defaultTrunkIds.twilio}`;
    const put = await notifications.putNotificationsChannelSubscriptions(channel.id!, [{ id: topic }]);
    expect(put.entities?.map((e) => e.id)).toEqual([topic]);
    await notifications.postNotificationsChannelSubscriptions(channel.id!, [
      { id: `v2.telephony.providers.edges.trunks.${defaultTrunkIds.acmePbx}` },
    ]);
    expect((await notifications.getNotificationsChannelSubscriptions(channel.id!)).entities).toHaveLength(2);
    await expect(notifications.headNotificationsChannel(channel.id!)).resolves.toBeUndefined();
    // A HEAD answer has no body, and the SDK rejects a body-less 404 with `undefined` rather than an error object.
    await expect(notifications.headNotificationsChannel('streaming-0-nope')).rejects.toBeUndefined();
  });

  it('surfaces the simulator errors as the SDK decodes real ones', async () => {
    await client.loginClientCredentialsGrant(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET);
    await expect(new platformClient.TelephonyProvidersEdgeApi().getTelephonyProvidersEdgesTrunk('nope')).rejects.toMatchObject({
      status: 404,
      code: 'not.found',
    });
    await expect(client.loginClientCredentialsGrant(DEMO_CLIENT_ID, 'wrong')).rejects.toBeTruthy();
    expect(sim.stats().tokenFailures).toBe(1);
  });
});
