import { afterEach, describe, expect, it } from 'vitest';
import { heartbeatFrame, rejectedEvent, socketClosingFrame, trunkFrame, wireTrunk } from '../support/fake-notifications.js';
import { monitorHarness } from '../support/monitor-harness.js';

const topic = (id: string) => `v2.telephony.providers.edges.trunks.${id}`;

describe('TrunkMonitor notification channels', () => {
  let h: ReturnType<typeof monitorHarness>;
  afterEach(() => h?.monitor.stop());

  const started = async (options: Parameters<typeof monitorHarness>[0] = {}) => {
    h = monitorHarness({ pollIntervalMs: 3_600_000, ...options });
    h.monitor.start();
    await h.clock.advance(0);
    return h;
  };
  const polls = () => h.lister.requests.filter((r) => r.pageNumber === 1).length;

  it('after the first poll: creates a channel, opens its socket, then subscribes every trunk topic, then re-polls', async () => {
    await started({ trunks: 3 });
    expect(h.log).toEqual(['create c1', 'connect c1', 'put c1 3']);
    expect(h.client.channels.get('c1')!.topics).toEqual([topic('t1'), topic('t2'), topic('t3')]);
    expect(polls()).toBe(2);
    expect(h.monitor.status().channels).toEqual({ channels: 1, open: 1, topics: 3, openTopics: 3 });
    expect(await h.metric('trunkgate_monitor_channels_open')).toBe(1);
    expect(await h.metric('trunkgate_monitor_topics_subscribed')).toBe(3);
  });

  it('splits topics over channels of at most topicsPerChannel', async () => {
    await started({ trunks: 5, tuning: { topicsPerChannel: 2 } });
    expect([...h.client.channels.values()].map((c) => c.topics.length)).toEqual([2, 2, 1]);
    expect(new Set([...h.client.channels.values()].flatMap((c) => c.topics)).size).toBe(5);
  });

  it('a trunk event becomes a notification sighting through the normaliser, named by the topic', async () => {
    await started({ trunks: 2 });
    const { id: _id, ...withoutId } = rejectedEvent('t2', 403);
    h.connector.socketOf('c1').deliver(trunkFrame('t2', withoutId));
    const sighting = await h.sink.waitFor((s) => s.source === 'notification');
    expect(sighting).toMatchObject({ trunkId: 't2', state: 'rejected', sipCode: 403, observedAt: h.clock.now(), name: null });
    expect(await h.metric('trunkgate_monitor_notification_events_total', { kind: 'trunk' })).toBe(1);
    expect(await h.metric('trunkgate_monitor_sightings_total', { source: 'notification' })).toBe(1);
  });

  it('ignores frames that are not health events and text that is not JSON', async () => {
    await started({ trunks: 1 });
    const socket = h.connector.socketOf('c1');
    socket.deliver('not json');
    socket.deliver({ topicName: `${topic('t1')}.metrics`, eventBody: { calls: 3 } });
    socket.deliver({ result: '200', status: 'subscribed' });
    expect(h.sink.bySource('notification')).toEqual([]);
    expect(await h.metric('trunkgate_monitor_notification_events_total', { kind: 'other' })).toBe(2);
  });

  describe('heartbeat watchdog', () => {
    const tuning = { pingAfterMs: 35_000, heartbeatTimeoutMs: 65_000 };

    it('heartbeats keep the socket; silence gets a ping, longer silence a reconnect on the same channel and a re-poll', async () => {
      await started({ trunks: 1, tuning });
      const socket = h.connector.socketOf('c1');
      for (let i = 0; i < 5; i++) {
        await h.clock.advance(30_000);
        socket.deliver(heartbeatFrame);
      }
      expect(socket.sent).toEqual([]);
      expect(h.log).toEqual(['create c1', 'connect c1', 'put c1 1']);

      await h.clock.advance(35_000);
      expect(socket.sent).toEqual(['{"message":"ping"}']);
      const pollsBefore = polls();
      await h.clock.advance(30_000);
      expect(h.log.slice(3)).toEqual(['head c1', 'connect c1', 'put c1 1', 'close c1']);
      expect(socket.closedByClient).toBe(true);
      expect(polls()).toBe(pollsBefore + 1);
      expect(await h.metric('trunkgate_monitor_reconnects_total', { reason: 'heartbeat_timeout' })).toBe(1);
      expect(
        h.logs.lines().some((l) => l.level === 'warn' && l.message === 'no heartbeat from the notification socket; reconnecting'),
      ).toBe(true);
    });

    it('a pong answers the ping and counts as life', async () => {
      await started({ trunks: 1, tuning });
      const socket = h.connector.socketOf('c1');
      await h.clock.advance(35_000);
      socket.deliver({ topicName: 'channel.metadata', eventBody: { message: 'pong' } });
      await h.clock.advance(60_000);
      expect(h.log).toHaveLength(3);
      expect(await h.metric('trunkgate_monitor_notification_events_total', { kind: 'pong' })).toBe(1);
    });

    it('the old socket is watched no more once replaced', async () => {
      await started({ trunks: 1, tuning });
      await h.clock.advance(65_000);
      const replaced = h.log.length;
      h.connector.socketOf('c1').deliver(heartbeatFrame);
      for (let i = 0; i < 4; i++) {
        await h.clock.advance(30_000);
        h.connector.socketOf('c1').deliver(heartbeatFrame);
      }
      expect(h.log).toHaveLength(replaced);
    });
  });

  it('a dropped socket reconnects at once to the same channel when it still exists, and re-polls', async () => {
    await started({ trunks: 2 });
    const pollsBefore = polls();
    h.connector.socketOf('c1').drop(1006);
    await h.clock.advance(0);
    expect(h.log.slice(3)).toEqual(['head c1', 'connect c1', 'put c1 2']);
    expect(polls()).toBe(pollsBefore + 1);
    expect(await h.metric('trunkgate_monitor_reconnects_total', { reason: 'socket_closed' })).toBe(1);
  });

  it('reports the topics it wants apart from those covered, so a channel that stays down shows (and 0 once stopped)', async () => {
    await started({ trunks: 2 });
    h.client.channels.get('c1')!.exists = false;
    h.client.failNext('create', 5);
    h.connector.socketOf('c1').drop();
    await h.clock.advance(0);
    expect([await h.metric('trunkgate_monitor_topics_wanted'), await h.metric('trunkgate_monitor_topics_subscribed')]).toEqual([2, 0]);
    await h.monitor.stop();
    expect([await h.metric('trunkgate_monitor_topics_wanted'), await h.metric('trunkgate_monitor_topics_subscribed')]).toEqual([0, 0]);
  });

  it('a dropped socket whose channel is gone gets a new channel', async () => {
    await started({ trunks: 2 });
    h.client.channels.get('c1')!.exists = false;
    h.connector.socketOf('c1').drop(1000);
    await h.clock.advance(0);
    expect(h.log.slice(3)).toEqual(['head c1', 'create c2', 'connect c2', 'put c2 2']);
  });

  it('backs off with growing delays while reconnecting fails, then resets', async () => {
    await started({ trunks: 1, tuning: { reconnectBackoff: { baseMs: 1_000, capMs: 8_000 } } });
    h.client.channels.get('c1')!.exists = false;
    h.client.failNext('create', 5);
    h.connector.socketOf('c1').drop();
    await h.clock.advance(0); // attempt 1 at once, failed
    expect(h.log.filter((l) => l === 'create failed')).toHaveLength(1);
    const attemptsAt: number[] = [];
    for (let t = 500; t <= 40_000; t += 500) {
      const before = h.log.length;
      await h.clock.advance(500);
      if (h.log.slice(before).some((l) => l.startsWith('create'))) attemptsAt.push(t);
    }
    // Retries after 1 s, 2 s, 4 s, 8 s, 8 s (random() = 1 takes the top of each full-jitter range; capped at 8 s).
    expect(attemptsAt).toEqual([1_000, 3_000, 7_000, 15_000, 23_000]);
    expect(h.log.filter((l) => l === 'create failed')).toHaveLength(5);
    expect(h.log.slice(-3)).toEqual(['create c2', 'connect c2', 'put c2 1']);
    expect(h.monitor.status().channels.open).toBe(1);
    await h.clock.advance(0);
    const retries = h.logs.lines().filter((l) => l.message === 'notification channel could not be opened; retrying');
    expect(retries.map((l) => l.retryInMs)).toEqual([1_000, 2_000, 4_000, 8_000, 8_000]);
    expect(retries.every((l) => l.level === 'warn')).toBe(true);

    // Success reset the count: the next failure is retried after the first step again.
    h.client.channels.get('c2')!.exists = false;
    h.client.failNext('create', 1);
    h.connector.socketOf('c2').drop();
    await h.clock.advance(999);
    expect(h.log.at(-1)).toBe('create failed');
    await h.clock.advance(1);
    expect(h.log.slice(-3)).toEqual(['create c3', 'connect c3', 'put c3 1']);
  });

  it('socket_closing: a new channel is opened and subscribed before the old socket is closed; events from both count', async () => {
    await started({ trunks: 2 });
    const old = h.connector.socketOf('c1');
    old.deliver(socketClosingFrame);
    old.deliver(trunkFrame('t1', rejectedEvent('t1'))); // still delivered while the new one comes up
    await h.clock.advance(0);
    expect(h.log.slice(3)).toEqual(['create c2', 'connect c2', 'put c2 2', 'close c1']);
    h.connector.socketOf('c2').deliver(trunkFrame('t2', rejectedEvent('t2')));
    await h.sink.waitFor((s) => s.source === 'notification' && s.trunkId === 't2');
    expect(h.sink.bySource('notification').map((s) => s.trunkId)).toEqual(['t1', 't2']);
    expect(await h.metric('trunkgate_monitor_reconnects_total', { reason: 'socket_closing' })).toBe(1);
  });

  it('a token rotation moves every channel to a new one, make-before-break', async () => {
    await started({ trunks: 3, tuning: { topicsPerChannel: 2 } });
    h.log.length = 0;
    h.rotations.rotate();
    await h.clock.advance(0);
    expect(h.log).toEqual(['create c3', 'create c4', 'connect c3', 'connect c4', 'put c3 2', 'put c4 1', 'close c1', 'close c2']);
    expect(h.connector.openSockets.map((s) => s.channelId)).toEqual(['c3', 'c4']);
    expect(await h.metric('trunkgate_monitor_reconnects_total', { reason: 'token_rotated' })).toBe(2);
  });

  it("the broker's first token is not a rotation: channels stay", async () => {
    await started({ trunks: 1 });
    h.rotations.rotate(true);
    await h.clock.advance(0);
    expect(h.log).toEqual(['create c1', 'connect c1', 'put c1 1']);
  });

  it('re-subscribes the same channel an hour before its 24 h run out, and again 24 h later', async () => {
    await started({ trunks: 1, tuning: { pingAfterMs: 10 * 3_600_000, heartbeatTimeoutMs: 20 * 3_600_000 } });
    const socket = h.connector.socketOf('c1');
    const keepAlive = async (ms: number) => {
      for (let t = 0; t < ms; t += 3_600_000) {
        socket.deliver(heartbeatFrame);
        await h.clock.advance(3_600_000);
      }
    };
    await keepAlive(22 * 3_600_000);
    expect(h.log).toEqual(['create c1', 'connect c1', 'put c1 1']);
    await keepAlive(3_600_000);
    expect(h.log).toEqual(['create c1', 'connect c1', 'put c1 1', 'put c1 1']);
    await keepAlive(23 * 3_600_000);
    expect(h.log.filter((l) => l === 'put c1 1')).toHaveLength(3);
    expect(h.log.filter((l) => l.startsWith('create'))).toHaveLength(1);
  });

  it('a channel that is gone when re-subscribing is replaced by a new one', async () => {
    await started({ trunks: 1 });
    h.client.channels.get('c1')!.exists = false;
    h.lister.trunks.push(wireTrunk('t2'));
    await h.monitor.pollNow();
    await h.clock.advance(0);
    expect(h.log.slice(3)).toEqual(['create c2', 'connect c2', 'put c2 2', 'close c1']);
    expect(await h.metric('trunkgate_monitor_reconnects_total', { reason: 'channel_gone' })).toBe(1);
  });

  it('a new trunk seen by a poll is added to a channel with room; past the cap a new channel opens; a removed one is dropped', async () => {
    await started({ trunks: 3, tuning: { topicsPerChannel: 2 } });
    h.log.length = 0;
    h.lister.trunks.push(wireTrunk('t4'));
    await h.monitor.pollNow();
    await h.clock.advance(0);
    expect(h.log).toEqual(['put c2 2']);
    expect(h.client.channels.get('c2')!.topics).toEqual([topic('t3'), topic('t4')]);

    h.lister.trunks.push(wireTrunk('t5'));
    await h.monitor.pollNow();
    await h.clock.advance(0);
    expect(h.log.slice(1)).toEqual(['create c3', 'connect c3', 'put c3 1']);

    h.lister.trunks = h.lister.trunks.filter((t) => t.id !== 't1');
    await h.monitor.pollNow();
    await h.clock.advance(0);
    expect(h.client.channels.get('c1')!.topics).toEqual([topic('t2')]);
  });

  it('a failed subscription update is retried after a backoff', async () => {
    await started({ trunks: 1 });
    h.client.failNext('put', 2);
    h.lister.trunks.push(wireTrunk('t2'));
    await h.monitor.pollNow();
    await h.clock.advance(1_000);
    expect(h.log.slice(3)).toEqual(['put failed', 'put failed']);
    expect(h.client.channels.get('c1')!.topics).toHaveLength(1);
    await h.clock.advance(1_999);
    expect(h.client.channels.get('c1')!.topics).toHaveLength(1);
    await h.clock.advance(1);
    expect(h.client.channels.get('c1')!.topics).toHaveLength(2);
    expect(
      h.logs.lines().some((l) => l.level === 'warn' && l.message === 'notification subscriptions could not be updated; retrying'),
    ).toBe(true);
  });

  it('stop() closes every socket and cancels every timer; nothing happens afterwards', async () => {
    await started({ trunks: 3, tuning: { topicsPerChannel: 2 } });
    await h.monitor.stop();
    expect(h.connector.openSockets).toEqual([]);
    expect(h.clock.pending).toBe(0);
    const calls = h.log.length;
    h.rotations.rotate();
    await h.clock.advance(24 * 3_600_000);
    expect(h.log).toHaveLength(calls);
    expect(h.monitor.status().channels.open).toBe(0);
  });

  it('stop() during a connect closes the socket that was being opened', async () => {
    h = monitorHarness({ trunks: 1, pollIntervalMs: 3_600_000 });
    h.monitor.start();
    // Stop as soon as the socket connects, before the subscription is made.
    const original = h.connector.connect.bind(h.connector);
    h.connector.connect = async (uri) => {
      const socket = await original(uri);
      void h.monitor.stop();
      return socket;
    };
    await h.clock.advance(0);
    expect(h.log).toEqual(['create c1', 'connect c1', 'close c1']);
  });

  it('with MONITOR_NOTIFICATIONS=false no channel is ever opened', async () => {
    await started({ trunks: 2, notifications: false });
    h.rotations.rotate();
    await h.clock.advance(0);
    expect(h.log).toEqual([]);
    expect(polls()).toBe(1);
  });
});
