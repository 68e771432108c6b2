import { EventEmitter } from 'node:events';
import type { RotatedEvent } from '../../src/credentials/token-types.js';
import { UpstreamError } from '../../src/errors/app-error.js';
import type { TrunkLister } from '../../src/monitor/trunk-poller.js';
import type { NotificationChannel, NotificationsClient } from '../../src/upstream/genesys-notifications-client.js';
import type { NotificationSocket, NotificationSocketConnector } from '../../src/upstream/notification-socket.js';

/** Every call the fakes saw, in order, e.g. `create c1`, `connect c1`, `put c1 3`, `close c1`. */
export type CallLog = string[];

/** EXTERNAL trunks served page by page like the real listing (pageCount, entities). */
export class FakeTrunkLister implements TrunkLister {
  trunks: Array<Record<string, unknown>> = [];
  readonly requests: Array<{ pageNumber: number; pageSize: number }> = [];
  private failures: Array<{ page?: number; error: Error }> = [];
  /** When set, listTrunks waits on it before answering (to hold a poll in flight). */
  gate?: Promise<void>;

  async listTrunks(page: { pageNumber: number; pageSize: number }): Promise<Record<string, unknown>> {
    this.requests.push(page);
    if (this.gate) await this.gate;
    const i = this.failures.findIndex((f) => f.page === undefined || f.page === page.pageNumber);
    if (i >= 0) throw this.failures.splice(i, 1)[0]!.error;
    const start = (page.pageNumber - 1) * page.pageSize;
    return {
      entities: this.trunks.slice(start, start + page.pageSize),
      pageNumber: page.pageNumber,
      pageSize: page.pageSize,
      total: this.trunks.length,
      pageCount: Math.ceil(this.trunks.length / page.pageSize),
    };
  }

  /** The next request (or the next request for `page`) fails. */
  failNext(error = new Error('genesys unreachable'), page?: number): void {
    this.failures.push({ page, error });
  }
}

/** A registered Trunk wire object. */
export function wireTrunk(id: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    name: `Trunk ${id}`,
    trunkType: 'EXTERNAL',
    edge: { id: 'edge-1', name: 'edge-nyc-01' },
    connectedStatus: { connected: true, connectedStateTime: '2026-01-01T00:00:00.000Z' },
    registersEnabledStatus: 'ENABLED',
    registersStatus: [{ proxyAddress: `sip.${id}.example.net:5061`, registerState: true, registerStateTime: '2026-01-01T00:00:00.000Z' }],
    proxyAddressList: [`sip.${id}.example.net:5061`],
    ...over,
  };
}

/** A trunk topic event body with a rejected REGISTER. */
export function rejectedEvent(id: string, sipCode = 403): Record<string, unknown> {
  return {
    id,
    connectedStatus: { connected: false, connectedStateTime: '2026-01-01T00:05:00.000Z' },
    registersStatus: [
      {
        proxyAddress: `sip.${id}.example.net:5061`,
        registerState: false,
        registerStateTime: '2026-01-01T00:05:00.000Z',
        errorInfo: { text: `${sipCode} Forbidden`, code: String(sipCode) },
      },
    ],
  };
}

interface FakeChannel {
  id: string;
  topics: string[];
  exists: boolean;
}

/** Channels in memory; failures can be queued per operation. Channel ids are c1, c2, … */
export class FakeNotificationsClient implements NotificationsClient {
  readonly channels = new Map<string, FakeChannel>();
  private seq = 0;
  private failures: Partial<Record<'create' | 'put' | 'head', Error[]>> = {};

  constructor(
    private readonly log: CallLog,
    private readonly now: () => number,
    private readonly lifetimeMs = 24 * 3_600_000,
  ) {}

  async createChannel(): Promise<NotificationChannel> {
    this.maybeFail('create');
    const id = `c${++this.seq}`;
    this.channels.set(id, { id, topics: [], exists: true });
    this.log.push(`create ${id}`);
    return { id, connectUri: `ws://fake/channels/${id}`, expires: new Date(this.now() + this.lifetimeMs).toISOString() };
  }

  async replaceSubscriptions(channelId: string, topics: string[]): Promise<void> {
    this.maybeFail('put');
    const channel = this.channels.get(channelId);
    if (!channel?.exists)
      throw new UpstreamError('genesys answered 404', { upstream: 'genesys', operation: 'PUT notifications subscriptions', status: 404 });
    channel.topics = [...topics];
    this.log.push(`put ${channelId} ${topics.length}`);
  }

  async addSubscriptions(channelId: string, topics: string[]): Promise<void> {
    const channel = this.channels.get(channelId)!;
    channel.topics.push(...topics);
  }

  async channelExists(channelId: string): Promise<boolean> {
    this.maybeFail('head');
    this.log.push(`head ${channelId}`);
    return this.channels.get(channelId)?.exists ?? false;
  }

  failNext(operation: 'create' | 'put' | 'head', count = 1, error: Error = new Error(`${operation} failed`)): void {
    (this.failures[operation] ??= []).push(...Array.from({ length: count }, () => error));
  }

  private maybeFail(operation: 'create' | 'put' | 'head'): void {
    const error = this.failures[operation]?.shift();
    if (error) {
      this.log.push(`${operation} failed`);
      throw error;
    }
  }
}

/** A socket the test drives: deliver frames, drop it; what the monitor sent is kept. */
export class FakeSocket implements NotificationSocket {
  readonly sent: string[] = [];
  closedByClient = false;
  private messageListeners: Array<(text: string) => void> = [];
  private closeListeners: Array<(code: number) => void> = [];

  constructor(
    readonly channelId: string,
    private readonly log: CallLog,
  ) {}

  send(text: string): void {
    this.sent.push(text);
  }

  async close(): Promise<void> {
    this.closedByClient = true;
    this.log.push(`close ${this.channelId}`);
  }

  onMessage(listener: (text: string) => void): void {
    this.messageListeners.push(listener);
  }

  onClose(listener: (code: number) => void): void {
    this.closeListeners.push(listener);
  }

  deliver(frame: unknown): void {
    const text = typeof frame === 'string' ? frame : JSON.stringify(frame);
    for (const l of this.messageListeners) l(text);
  }

  /** The far end or the network closes it. */
  drop(code = 1006): void {
    for (const l of this.closeListeners) l(code);
  }
}

export class FakeSocketConnector implements NotificationSocketConnector {
  readonly sockets: FakeSocket[] = [];
  private failures: Error[] = [];

  constructor(private readonly log: CallLog) {}

  async connect(uri: string): Promise<NotificationSocket> {
    const failure = this.failures.shift();
    if (failure) throw failure;
    const channelId = uri.slice(uri.lastIndexOf('/') + 1);
    const socket = new FakeSocket(channelId, this.log);
    this.sockets.push(socket);
    this.log.push(`connect ${channelId}`);
    return socket;
  }

  failNext(count = 1): void {
    for (let i = 0; i < count; i++) this.failures.push(new Error('websocket handshake answered 503'));
  }

  /** The newest socket of a channel. */
  socketOf(channelId: string): FakeSocket {
    const found = [...this.sockets].reverse().find((s) => s.channelId === channelId);
    if (!found) throw new Error(`no socket for ${channelId}`);
    return found;
  }

  /** Sockets not closed by the monitor. */
  get openSockets(): FakeSocket[] {
    return this.sockets.filter((s) => !s.closedByClient);
  }
}

/** Credentials that only rotate, when the test says so. */
export class FakeRotations extends EventEmitter {
  /** A rotation; `first` is the broker's first token, which replaces none. */
  rotate(first = false): void {
    this.emit('rotated', {
      upstream: 'genesys',
      at: Date.now(),
      verified: true,
      ...(first ? {} : { previousExpiresAt: Date.now() + 1_000 }),
    } satisfies RotatedEvent);
  }
}

export const heartbeatFrame = { topicName: 'channel.metadata', eventBody: { message: 'WebSocket Heartbeat' } };
export const socketClosingFrame = { topicName: 'v2.system.socket_closing', version: '2', eventBody: { message: 'closing' } };
export const trunkFrame = (id: string, body: Record<string, unknown>) => ({
  topicName: `v2.telephony.providers.edges.trunks.${id}`,
  version: '2',
  eventBody: body,
});
/** `v2.system.no_longer_subscribed.{channelId}` with a `SystemMessageSystemMessage` body. */
export const noLongerSubscribedFrame = (
  channelId: string,
  body: Record<string, unknown> = { channelId, systemTopicType: 'no_longer_subscribed', reason: 'subscriptions dropped' },
) => ({
  topicName: `v2.system.no_longer_subscribed.${channelId}`,
  version: '2',
  eventBody: body,
});
/** `v2.system.token_revoked.{channelId}` with a `SystemMessageSystemMessage` body. */
export const tokenRevokedFrame = (
  channelId: string,
  body: Record<string, unknown> = { channelId, systemTopicType: 'token_revoked', reason: 'token revoked' },
) => ({
  topicName: `v2.system.token_revoked.${channelId}`,
  version: '2',
  eventBody: body,
});
