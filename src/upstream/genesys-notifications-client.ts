import { AppError, evidenceOf, UpstreamError } from '../errors/app-error.js';
import { permissionWords, refusalOfError, TRUNK_PERMISSION } from './genesys-permissions.js';
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

  /**
   * DELETE …/channels/{id}/subscriptions: the channel keeps no topic. Genesys has no call that deletes a
   * channel itself (JS SDK `NotificationsApi.js` lists only this one): an unconnected channel ends after
   * 24 h, and is the first one removed when the client opens more than 20 (docs/genesys-cloud.md, 'Notifications API').
   */
  async removeSubscriptions(channelId: string): Promise<void> {
    await this.send({
      operation: 'DELETE notifications subscriptions',
      method: 'DELETE',
      path: `${this.channelPath(channelId)}/subscriptions`,
    });
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
    const operation = `${method} notifications subscriptions`;
    // Adding topics that are already there changes nothing, so a POST may be repeated too.
    const { body } = await this.send(
      { operation, method, path: `${this.channelPath(channelId)}/subscriptions`, body: topics.map((id) => ({ id })) },
      true,
    );
    const rejected = rejectedTopics(body);
    if (rejected.topics.length > 0) {
      // A 200 that lists refused topics (what `ignoreErrors` asks for; whether Genesys ever answers so
      // without it is unconfirmed) is as much a refusal as a 403: those topics would stay silent.
      const named = rejected.permissions.length > 0;
      const words = named
        ? permissionWords({ permissions: rejected.permissions, anyOf: false })
        : `a permission (Genesys did not say which); trunk topics need ${TRUNK_PERMISSION}`;
      throw new UpstreamError(
        `Genesys did not subscribe ${rejected.topics.length} topic(s) (${rejected.topics.slice(0, 3).join(', ')}): the OAuth client's role lacks ${words}`,
        {
          upstream: 'genesys',
          operation,
          status: 200,
          missingPermissions: named ? rejected.permissions : [TRUNK_PERMISSION],
        },
      );
    }
  }

  private channelPath(channelId: string): string {
    return `${CHANNELS_PATH}/${encodeURIComponent(channelId)}`;
  }

  private async send(request: UpstreamRequest, idempotent?: boolean) {
    try {
      return await this.genesys.send(request, idempotent === undefined ? undefined : { idempotent });
    } catch (err) {
      const refusal = refusalOfError(err);
      if (refusal && refusal.permissions.length === 0 && request.operation.endsWith('subscriptions')) {
        // Genesys' answer did not name the permission: say which one trunk topics need.
        throw new UpstreamError(
          `${refusal.message}; trunk topics need ${TRUNK_PERMISSION}`,
          { ...evidenceOf(err as AppError)!, missingPermissions: [TRUNK_PERMISSION] },
          err,
        );
      }
      throw err;
    }
  }
}

/** Topics a subscription answer (`ChannelTopicEntityListing`) reports as refused, with the permissions it says they miss. */
function rejectedTopics(body: unknown): { topics: string[]; permissions: string[] } {
  const entities = (body as { entities?: unknown } | null)?.entities;
  if (!Array.isArray(entities)) return { topics: [], permissions: [] };
  const topics: string[] = [];
  const permissions = new Set<string>();
  for (const e of entities as Array<{ id?: unknown; state?: unknown; rejectionReason?: unknown; missingPermissions?: unknown }>) {
    const missing = Array.isArray(e?.missingPermissions) ? e.missingPermissions.filter((p): p is string => typeof p === 'string') : [];
    const refused =
      missing.length > 0 ||
      (typeof e?.state === 'string' && /reject/i.test(e.state)) ||
      (typeof e?.rejectionReason === 'string' && e.rejectionReason !== '');
    if (!refused) continue;
    topics.push(typeof e.id === 'string' ? e.id : '?');
    for (const p of missing) permissions.add(p);
  }
  return { topics, permissions: [...permissions] };
}

/** The upstream HTTP status an AppError carries as evidence, if any. */
export function upstreamStatusOf(err: unknown): number | undefined {
  if (!(err instanceof AppError)) return undefined;
  const status = err.details.find((d) => typeof d.status === 'number')?.status;
  return typeof status === 'number' ? status : undefined;
}
