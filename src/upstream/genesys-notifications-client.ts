import { AppError, UpstreamError } from '../errors/app-error.js';
import type { UpstreamApi, UpstreamRequest } from './upstream-api.js';

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

const CHANNELS_PATH = '/api/v2/notifications/channels';

/**
 * Genesys Cloud Notifications API through the shared Genesys client, so these calls share its pacing
 * budget, credentials and retries. Failures are AppErrors with the upstream evidence.
 */
export class GenesysNotificationsClient implements NotificationsClient {
  constructor(private readonly genesys: UpstreamApi) {}

  async createChannel(): Promise<NotificationChannel> {
    const operation = 'POST notifications channel';
    // A POST that lost its answer may have made a channel: not resent (idempotent false), the monitor asks again later.
    const { body } = await this.send({ operation, method: 'POST', path: CHANNELS_PATH });
    const { id, connectUri, expires } = (typeof body === 'object' && body !== null ? body : {}) as Partial<NotificationChannel>;
    if (typeof id !== 'string' || typeof connectUri !== 'string' || !/^wss?:\/\//.test(connectUri)) {
      throw new UpstreamError('Genesys answered a channel without an id or a websocket connectUri', { upstream: 'genesys', operation });
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
    try {
      await this.send({ operation: 'HEAD notifications channel', method: 'HEAD', path: this.channelPath(channelId) });
      return true;
    } catch (err) {
      if (upstreamStatusOf(err) === 404) return false;
      throw err;
    }
  }

  private async subscribe(method: 'PUT' | 'POST', channelId: string, topics: string[]): Promise<void> {
    // Adding topics that are already there changes nothing, so a POST may be repeated too.
    await this.send({ operation: `${method} notifications subscriptions`, method, path: `${this.channelPath(channelId)}/subscriptions`, body: topics.map((id) => ({ id })) }, true);
  }

  private channelPath(channelId: string): string {
    return `${CHANNELS_PATH}/${encodeURIComponent(channelId)}`;
  }

  private async send(request: UpstreamRequest, idempotent?: boolean) {
    try {
      return await this.genesys.send(request, idempotent === undefined ? undefined : { idempotent });
    } catch (err) {
      if (err instanceof AppError && upstreamStatusOf(err) === 403) {
        throw new UpstreamError(`Genesys refused ${request.operation} with 403: the OAuth client's role lacks a permission for it (trunk topics need telephony:plugin:all)`, {
          upstream: 'genesys',
          operation: request.operation,
          status: 403,
        }, err);
      }
      throw err;
    }
  }
}

/** The upstream HTTP status an AppError carries as evidence, if any. */
export function upstreamStatusOf(err: unknown): number | undefined {
  if (!(err instanceof AppError)) return undefined;
  const status = err.details.find((d) => typeof d.status === 'number')?.status;
  return typeof status === 'number' ? status : undefined;
}
