import express, { type Request, type Response, type Router } from 'express';
import { nameRoute, orgOf, tokenOf } from './api-gate.js';
import type { SimChannel } from './channel-registry.js';
import { requireAnyPermission, TRUNK_READ_PERMISSION } from './client-access.js';
import { apiErrors, sendApiError } from './genesys-errors.js';
import { TRUNK_TOPIC_PREFIX } from './notification-hub.js';
import type { GenesysChannel, GenesysChannelListing, GenesysChannelTopicListing } from './wire-types.js';

// Genesys' `request.bytes.max` (docs/genesys-cloud.md, 'Rate limits').
const BODY_LIMIT_BYTES = 512_000;

/**
 * `/api/v2/notifications`: channels and their subscriptions (SDK `NotificationsApi`), each token's
 * org's own: another org's channel is "not found". The socket a channel's `connectUri` names is served
 * by its org's NotificationHub on the same port.
 */
export function notificationRoutes(): Router {
  const router = express.Router();
  const wire = (req: Request, c: SimChannel): GenesysChannel => ({
    id: c.id,
    connectUri: `ws://${req.get('host')}/channels/${c.id}`,
    expires: new Date(c.expiresAt).toISOString(),
  });
  const channelOf = (req: Request, res: Response): SimChannel | undefined => {
    const state = orgOf(res);
    state.notifications.sweep();
    const channel = state.channels.get(String(req.params.channelId), tokenOf(res).clientId);
    if (!channel) sendApiError(res, apiErrors.notFound);
    return channel;
  };

  router.post('/channels', (req, res) => {
    nameRoute(req, res, '/notifications/channels');
    const state = orgOf(res);
    const hub = state.notifications;
    hub.sweep();
    const { channel, evicted } = state.channels.create(tokenOf(res), (id) => hub.isConnected(id));
    state.count('channelsCreated');
    if (evicted) {
      state.count('channelsEvicted');
      hub.closeChannel(evicted, 'channel removed: too many channels for this client');
    }
    res.json(wire(req, channel));
  });

  router.get('/channels', (req, res) => {
    nameRoute(req, res, '/notifications/channels');
    const state = orgOf(res);
    state.notifications.sweep();
    const token = tokenOf(res);
    const acrossTokens = req.query.includechannels === 'oauthclient';
    const channels = state.channels.list({ clientId: token.clientId, ...(acrossTokens ? {} : { token: token.token }) });
    res.json({ entities: channels.map((c) => wire(req, c)) } satisfies GenesysChannelListing);
  });

  router.head('/channels/:channelId', (req, res) => {
    nameRoute(req, res, '/notifications/channels/{channelId}');
    const state = orgOf(res);
    state.notifications.sweep();
    res.status(state.channels.get(req.params.channelId, tokenOf(res).clientId) ? 200 : 404).end();
  });

  router.get('/channels/:channelId/subscriptions', (req, res) => {
    nameRoute(req, res, '/notifications/channels/{channelId}/subscriptions');
    const channel = channelOf(req, res);
    if (channel) res.json(topicListing(channel));
  });

  const subscribe = (mode: 'replace' | 'add') => (req: Request, res: Response) => {
    nameRoute(req, res, '/notifications/channels/{channelId}/subscriptions');
    const channel = channelOf(req, res);
    if (!channel) return;
    const topics = parseTopics(req.body);
    if (!topics) return sendApiError(res, apiErrors.badRequest);
    // One topic the client may not read fails the whole request (Genesys announcement WEM-396); the
    // trunk topic needs the trunk permission. The exact 403 body of a refused subscription is unconfirmed.
    if (topics.some((t) => t.startsWith(TRUNK_TOPIC_PREFIX)) && !requireAnyPermission(res, [TRUNK_READ_PERMISSION])) return;
    const { channels } = orgOf(res);
    if (!channels.subscribe(channel, topics, mode)) {
      // The limit is documented; the exact status and code of exceeding it are unconfirmed.
      const limit = channels.limits.maxTopicsPerChannel;
      return sendApiError(res, { status: 400, code: 'bad.request', message: `A channel can be subscribed to at most ${limit} topics.` });
    }
    res.json(topicListing(channel));
  };
  const json = express.json({ limit: BODY_LIMIT_BYTES });
  router.put('/channels/:channelId/subscriptions', json, subscribe('replace'));
  router.post('/channels/:channelId/subscriptions', json, subscribe('add'));

  router.delete('/channels/:channelId/subscriptions', (req, res) => {
    nameRoute(req, res, '/notifications/channels/{channelId}/subscriptions');
    const channel = channelOf(req, res);
    if (!channel) return;
    orgOf(res).channels.subscribe(channel, [], 'replace');
    res.status(204).end();
  });
  return router;
}

function topicListing(channel: SimChannel): GenesysChannelTopicListing {
  return { entities: [...channel.topics].map((id) => ({ id })) };
}

/** `[{"id": "<topic>"}, ...]` → the topic names, or undefined when the body is not that. */
function parseTopics(body: unknown): string[] | undefined {
  if (!Array.isArray(body)) return undefined;
  const topics: string[] = [];
  for (const entry of body) {
    const id = (entry as { id?: unknown } | null)?.id;
    if (typeof id !== 'string' || id.trim() === '') return undefined;
    topics.push(id);
  }
  return topics;
}
