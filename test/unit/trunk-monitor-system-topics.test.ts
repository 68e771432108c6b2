import { afterEach, describe, expect, it } from 'vitest';
import { UpstreamError } from '../../src/errors/app-error.js';
import { parseFrame } from '../../src/monitor/notification-frame.js';
import { noLongerSubscribedFrame, rejectedEvent, tokenRevokedFrame, trunkFrame, wireTrunk } from '../support/fake-notifications.js';
import { monitorHarness } from '../support/monitor-harness.js';

const topic = (id: string) => `v2.telephony.providers.edges.trunks.${id}`;

describe('parseFrame: channel system topics', () => {
  it('reads the channel id from the body, else from the topic suffix, and keeps a short reason', () => {
    expect(parseFrame(JSON.stringify(noLongerSubscribedFrame('c1')))).toEqual({
      kind: 'no_longer_subscribed',
      topicName: 'v2.system.no_longer_subscribed.c1',
      channelId: 'c1',
      reason: 'subscriptions dropped',
    });
    expect(parseFrame(JSON.stringify(tokenRevokedFrame('c2', { channelId: 'c9' })))).toEqual({
      kind: 'token_revoked',
      topicName: 'v2.system.token_revoked.c2',
      channelId: 'c9',
    });
    expect(parseFrame(JSON.stringify(tokenRevokedFrame('c2', {})))).toEqual({
      kind: 'token_revoked',
      topicName: 'v2.system.token_revoked.c2',
      channelId: 'c2',
    });
    expect(parseFrame(JSON.stringify({ topicName: 'v2.system.token_revoked' }))).toEqual({
      kind: 'token_revoked',
      topicName: 'v2.system.token_revoked',
    });
    expect(parseFrame(JSON.stringify(noLongerSubscribedFrame('c1', { reason: 'x'.repeat(500) })))).toMatchObject({
      reason: 'x'.repeat(200),
    });
  });

  it('other system topics stay `other`', () => {
    expect(parseFrame(JSON.stringify({ topicName: 'v2.system.token_revokedness.c1', eventBody: {} }))).toEqual({
      kind: 'other',
      topicName: 'v2.system.token_revokedness.c1',
    });
    expect(parseFrame(JSON.stringify({ topicName: 'v2.system.c1.duplicate_id', eventBody: {} }))).toEqual({
      kind: 'other',
      topicName: 'v2.system.c1.duplicate_id',
    });
  });
});

describe('TrunkMonitor: no_longer_subscribed and token_revoked', () => {
  let h: ReturnType<typeof monitorHarness>;
  afterEach(() => h?.monitor.stop());

  const started = async (options: Parameters<typeof monitorHarness>[0] = {}) => {
    h = monitorHarness({ pollIntervalMs: 3_600_000, ...options });
    h.monitor.start();
    await h.clock.advance(0);
    h.log.length = 0;
    return h;
  };
  const polls = () => h.lister.requests.filter((r) => r.pageNumber === 1).length;
  const pollReasons: string[] = [];
  const recordPolls = () => {
    pollReasons.length = 0;
    h.monitor.on('poll', (p) => pollReasons.push(p.reason));
  };
  const logged = (level: string, message: string) => h.logs.lines().filter((l) => l.level === level && l.message === message);

  describe('no_longer_subscribed', () => {
    it('subscribes the same channel to its topics again, then re-polls; events flow again', async () => {
      await started({ trunks: 2 });
      recordPolls();
      const before = polls();
      // Genesys dropped the subscriptions, then says so.
      h.client.channels.get('c1')!.topics = [];
      h.connector.socketOf('c1').deliver(noLongerSubscribedFrame('c1'));
      await h.clock.advance(0);
      expect(h.log).toEqual(['put c1 2']);
      expect(h.client.channels.get('c1')!.topics).toEqual([topic('t1'), topic('t2')]);
      expect(polls()).toBe(before + 1);
      expect(pollReasons).toEqual(['resubscribed']);
      expect(h.connector.openSockets.map((s) => s.channelId)).toEqual(['c1']);
      expect(await h.metric('trunkgate_monitor_notification_events_total', { kind: 'no_longer_subscribed' })).toBe(1);
      expect(logged('warn', 'Genesys says the notification channel is no longer subscribed; subscribing its topics again')).toEqual([
        expect.objectContaining({ channelId: 'c1', topicName: 'v2.system.no_longer_subscribed.c1', reason: 'subscriptions dropped' }),
      ]);
      expect(logged('info', 'notification channel subscribed again after Genesys dropped its subscriptions')).toEqual([
        expect.objectContaining({ channelId: 'c1', topics: 2 }),
      ]);

      h.connector.socketOf('c1').deliver(trunkFrame('t2', rejectedEvent('t2')));
      expect(await h.sink.waitFor((s) => s.source === 'notification')).toMatchObject({ trunkId: 't2', state: 'rejected' });
    });

    it('a second time on the same channel moves its topics to a new channel, make-before-break', async () => {
      await started({ trunks: 2 });
      const socket = h.connector.socketOf('c1');
      socket.deliver(noLongerSubscribedFrame('c1'));
      await h.clock.advance(0);
      socket.deliver(noLongerSubscribedFrame('c1'));
      await h.clock.advance(0);
      expect(h.log).toEqual(['put c1 2', 'create c2', 'connect c2', 'put c2 2', 'close c1']);
      expect(await h.metric('trunkgate_monitor_reconnects_total', { reason: 'no_longer_subscribed' })).toBe(1);
      expect(logged('warn', 'notification channel lost its subscriptions again; moving its topics to a new channel')).toEqual([
        expect.objectContaining({ channelId: 'c1', times: 2 }),
      ]);
    });

    it('a channel that lost its subscriptions is not reused after a drop', async () => {
      await started({ trunks: 1 });
      h.connector.socketOf('c1').deliver(noLongerSubscribedFrame('c1'));
      await h.clock.advance(0);
      h.connector.socketOf('c1').drop(1000);
      await h.clock.advance(0);
      expect(h.log).toEqual(['put c1 1', 'create c2', 'connect c2', 'put c2 1']);
    });

    it('when the channel is gone, a new one takes the topics', async () => {
      await started({ trunks: 1 });
      h.client.channels.get('c1')!.exists = false;
      h.connector.socketOf('c1').deliver(noLongerSubscribedFrame('c1'));
      await h.clock.advance(0);
      expect(h.log).toEqual(['create c2', 'connect c2', 'put c2 1', 'close c1']);
      expect(await h.metric('trunkgate_monitor_reconnects_total', { reason: 'channel_gone' })).toBe(1);
    });

    it('a failed subscribe is retried after a backoff; the re-poll follows the success', async () => {
      await started({ trunks: 1 });
      recordPolls();
      h.client.failNext(
        'put',
        1,
        new UpstreamError('genesys answered 503', { upstream: 'genesys', operation: 'PUT notifications subscriptions', status: 503 }),
      );
      h.connector.socketOf('c1').deliver(noLongerSubscribedFrame('c1'));
      await h.clock.advance(0);
      expect(h.log).toEqual(['put failed']);
      expect(pollReasons).toEqual([]);
      await h.clock.advance(1_000);
      expect(h.log).toEqual(['put failed', 'put c1 1']);
      expect(pollReasons).toEqual(['resubscribed']);
    });

    it('a frame arriving while another subscribe call is in flight gets a subscribe of its own, and the re-poll', async () => {
      await started({ trunks: 1 });
      recordPolls();
      const socket = h.connector.socketOf('c1');
      const original = h.client.replaceSubscriptions.bind(h.client);
      let calls = 0;
      h.client.replaceSubscriptions = async (id, topics) => {
        await original(id, topics);
        // Genesys drops the subscriptions just after this PUT (for a new trunk) landed.
        if (calls++ === 0) socket.deliver(noLongerSubscribedFrame('c1'));
      };
      h.lister.trunks.push(wireTrunk('t2'));
      await h.monitor.pollNow();
      await h.clock.advance(0);
      expect(h.log).toEqual(['put c1 2', 'put c1 2']);
      expect(pollReasons).toEqual(['manual', 'resubscribed']);
    });
  });

  describe('token_revoked', () => {
    it('moves the topics to a channel made now, make-before-break, then re-polls', async () => {
      await started({ trunks: 2 });
      recordPolls();
      h.connector.socketOf('c1').deliver(tokenRevokedFrame('c1'));
      await h.clock.advance(0);
      expect(h.log).toEqual(['create c2', 'connect c2', 'put c2 2', 'close c1']);
      expect(pollReasons).toEqual(['reconnect']);
      expect(await h.metric('trunkgate_monitor_reconnects_total', { reason: 'token_revoked' })).toBe(1);
      expect(await h.metric('trunkgate_monitor_notification_events_total', { kind: 'token_revoked' })).toBe(1);
      expect(logged('warn', 'Genesys revoked the token of the notification channel; moving its topics to a new channel')).toEqual([
        expect.objectContaining({ channelId: 'c1' }),
      ]);
    });

    it('when Genesys also closes the old socket right away, still exactly one new channel', async () => {
      await started({ trunks: 2 });
      const old = h.connector.socketOf('c1');
      old.deliver(tokenRevokedFrame('c1'));
      old.drop(1000);
      await h.clock.advance(0);
      expect(h.log).toEqual(['create c2', 'connect c2', 'put c2 2']);
      expect(h.monitor.status().channels).toMatchObject({ channels: 1, open: 1, openTopics: 2 });
    });

    it('when making the new channel fails, it backs off and tries again (no tight loop)', async () => {
      await started({ trunks: 1 });
      h.client.failNext(
        'create',
        2,
        new UpstreamError('genesys answered 401', { upstream: 'genesys', operation: 'POST notifications channel', status: 401 }),
      );
      h.connector.socketOf('c1').deliver(tokenRevokedFrame('c1'));
      await h.clock.advance(0);
      expect(h.log).toEqual(['create failed']);
      await h.clock.advance(1_000);
      expect(h.log).toEqual(['create failed', 'create failed']);
      await h.clock.advance(2_000);
      expect(h.log).toEqual(['create failed', 'create failed', 'create c2', 'connect c2', 'put c2 1', 'close c1']);
    });
  });

  describe('frames about other channels', () => {
    it("a frame naming another channel than the socket's is logged and ignored", async () => {
      await started({ trunks: 1 });
      h.connector.socketOf('c1').deliver(tokenRevokedFrame('c7'));
      h.connector.socketOf('c1').deliver(noLongerSubscribedFrame('c1', { channelId: 'c8' }));
      await h.clock.advance(0);
      expect(h.log).toEqual([]);
      expect(logged('warn', "Genesys sent token_revoked for another channel than the socket's; ignored")).toEqual([
        expect.objectContaining({ channelId: 'c7', socketChannelId: 'c1' }),
      ]);
      expect(logged('warn', "Genesys sent no_longer_subscribed for another channel than the socket's; ignored")).toEqual([
        expect.objectContaining({ channelId: 'c8', socketChannelId: 'c1' }),
      ]);
      expect(await h.metric('trunkgate_monitor_notification_events_total', { kind: 'token_revoked' })).toBe(1);
    });

    it("a frame that names no channel is about the socket's own", async () => {
      await started({ trunks: 1 });
      h.connector.socketOf('c1').deliver({ topicName: 'v2.system.token_revoked', eventBody: {} });
      await h.clock.advance(0);
      expect(h.log).toEqual(['create c2', 'connect c2', 'put c2 1', 'close c1']);
    });

    it('a frame on the old socket of a channel already replaced changes nothing', async () => {
      await started({ trunks: 1 });
      const old = h.connector.socketOf('c1');
      old.deliver(tokenRevokedFrame('c1'));
      await h.clock.advance(0);
      h.log.length = 0;
      old.deliver(tokenRevokedFrame('c1'));
      old.deliver(noLongerSubscribedFrame('c1'));
      await h.clock.advance(0);
      expect(h.log).toEqual([]);
      expect(logged('info', 'Genesys sent token_revoked for a channel already being replaced; nothing more to do')).toHaveLength(1);
    });
  });
});
