import type { AxiosInstance, AxiosResponse } from 'axios';
import type { UpstreamCredentials } from '../credentials/upstream-credentials.js';
import { AppError } from '../errors/app-error.js';
import { authorizedSend } from './authorized-send.js';
import { errorFromNetwork, errorFromResponse } from './upstream-errors.js';

/** A Notifications API channel: connect a websocket to `connectUri`; it ends at `expires` unless re-subscribed. */
export interface NotificationChannel {
  id: string;
  connectUri: string;
  /** ISO time. */
  expires: string;
}

/** The Notifications API calls the trunk monitor makes (REST only; the socket is a NotificationSocketConnector). */
export interface NotificationsClient {
  /** POST /api/v2/notifications/channels. */
  createChannel(): Promise<NotificationChannel>;
  /** PUT …/channels/{id}/subscriptions: the channel's topics become exactly `topics` (and its 24 h start again). */
  replaceSubscriptions(channelId: string, topics: string[]): Promise<void>;
  /** POST …/channels/{id}/subscriptions: adds `topics`. */
  addSubscriptions(channelId: string, topics: string[]): Promise<void>;
  /** HEAD …/channels/{id}: false when the channel is gone (404). */
  channelExists(channelId: string): Promise<boolean>;
}

/** Genesys Cloud Notifications API with brokered credentials. Failures are AppErrors with the upstream evidence. */
export class GenesysNotificationsClient implements NotificationsClient {
  constructor(private readonly http: AxiosInstance, private readonly credentials: UpstreamCredentials) {}

  async createChannel(): Promise<NotificationChannel> {
    const res = await this.send<Partial<NotificationChannel>>('POST notifications channel', (authorization) =>
      this.http.post('/api/v2/notifications/channels', undefined, { headers: { Authorization: authorization } }),
    );
    const { id, connectUri, expires } = this.ok(res, 'POST notifications channel');
    if (typeof id !== 'string' || typeof connectUri !== 'string' || !/^wss?:\/\//.test(connectUri)) {
      throw errorFromResponse('genesys', 'POST notifications channel', res, 'Genesys answered a channel without an id or a websocket connectUri');
    }
    return { id, connectUri, expires: typeof expires === 'string' ? expires : '' };
  }

  replaceSubscriptions(channelId: string, topics: string[]): Promise<void> {
    return this.subscribe('PUT', channelId, topics);
  }

  addSubscriptions(channelId: string, topics: string[]): Promise<void> {
    return this.subscribe('POST', channelId, topics);
  }

  async channelExists(channelId: string): Promise<boolean> {
    const operation = 'HEAD notifications channel';
    const res = await this.send(operation, (authorization) => this.http.head(this.channelPath(channelId), { headers: { Authorization: authorization } }));
    if (res.status === 404) return false;
    this.ok(res, operation);
    return true;
  }

  private async subscribe(method: 'PUT' | 'POST', channelId: string, topics: string[]): Promise<void> {
    const operation = `${method} notifications subscriptions`;
    const res = await this.send(operation, (authorization) =>
      this.http.request({
        method,
        url: `${this.channelPath(channelId)}/subscriptions`,
        data: topics.map((id) => ({ id })),
        headers: { Authorization: authorization, 'Content-Type': 'application/json' },
      }),
    );
    this.ok(res, operation);
  }

  private channelPath(channelId: string): string {
    return `/api/v2/notifications/channels/${encodeURIComponent(channelId)}`;
  }

  private async send<T>(operation: string, request: (authorization: string) => Promise<AxiosResponse<T>>): Promise<AxiosResponse<T>> {
    try {
      return await authorizedSend(this.credentials, operation, request);
    } catch (err) {
      if (err instanceof AppError) throw err;
      throw errorFromNetwork('genesys', operation, err);
    }
  }

  private ok<T>(res: AxiosResponse<T>, operation: string): T {
    if (res.status >= 200 && res.status < 300) return res.data;
    if (res.status === 403) {
      throw errorFromResponse('genesys', operation, res, `Genesys refused ${operation} with 403: the OAuth client's role lacks a permission for it (trunk topics need telephony:plugin:all)`);
    }
    throw errorFromResponse('genesys', operation, res);
  }
}

/** The upstream HTTP status an AppError carries as evidence, if any. */
export function upstreamStatusOf(err: unknown): number | undefined {
  if (!(err instanceof AppError)) return undefined;
  const status = err.details.find((d) => typeof d.status === 'number')?.status;
  return typeof status === 'number' ? status : undefined;
}
