import type { FrameKind } from './monitor-metrics.js';

export const TRUNK_TOPIC_PREFIX = 'v2.telephony.providers.edges.trunks.';

/** The Notifications API topic of one trunk's health. */
export function trunkTopic(trunkId: string): string {
  return `${TRUNK_TOPIC_PREFIX}${trunkId}`;
}

/** System topics about one channel that the monitor acts on. */
export type ChannelSystemKind = 'no_longer_subscribed' | 'token_revoked';

/** What one websocket frame means to the monitor. */
export type NotificationFrame =
  | { kind: Exclude<FrameKind, 'trunk' | ChannelSystemKind>; topicName?: string }
  | ChannelSystemFrame
  | { kind: 'trunk'; trunkId: string; body: unknown };

/**
 * `v2.system.no_longer_subscribed.{id}` or `v2.system.token_revoked.{id}` (Go SDK notification
 * mappings: https://github.com/MyPureCloud/platform-client-sdk-go/blob/master/notificationMappings.json,
 * body `SystemMessageSystemMessage`). `channelId` is the body's `channelId`, else the topic's suffix —
 * Genesys' own streaming client reads the body's, and its tests put a channel id in the topic
 * (https://github.com/purecloudlabs/genesys-cloud-streaming-client, src/client.ts); undefined when
 * the frame names none.
 */
export interface ChannelSystemFrame {
  kind: ChannelSystemKind;
  topicName: string;
  channelId?: string;
  /** The body's `reason`, if it gave one (a short vendor string, kept for the log). */
  reason?: string;
}

const SYSTEM_TOPICS: Array<[prefix: string, kind: ChannelSystemKind]> = [
  ['v2.system.no_longer_subscribed', 'no_longer_subscribed'],
  ['v2.system.token_revoked', 'token_revoked'],
];

/**
 * Reads a frame: heartbeats and pongs (`channel.metadata`), the system topics `socket_closing`,
 * `no_longer_subscribed` and `token_revoked`, and trunk events. Sub-topics such as
 * `…trunks.{id}.metrics` are not health events and count as `other`. Returns undefined for text that
 * is not a JSON object.
 */
export function parseFrame(text: string): NotificationFrame | undefined {
  let frame: unknown;
  try {
    frame = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof frame !== 'object' || frame === null || Array.isArray(frame)) return undefined;
  const { topicName, eventBody } = frame as { topicName?: unknown; eventBody?: { message?: unknown } };
  if (topicName === 'channel.metadata') {
    if (eventBody?.message === 'pong') return { kind: 'pong', topicName };
    return { kind: 'heartbeat', topicName };
  }
  if (topicName === 'v2.system.socket_closing') return { kind: 'socket_closing', topicName };
  if (typeof topicName === 'string') {
    for (const [prefix, kind] of SYSTEM_TOPICS) {
      if (topicName === prefix || topicName.startsWith(`${prefix}.`))
        return systemFrame(kind, topicName, topicName.slice(prefix.length + 1), eventBody);
    }
  }
  if (typeof topicName === 'string' && topicName.startsWith(TRUNK_TOPIC_PREFIX)) {
    const trunkId = topicName.slice(TRUNK_TOPIC_PREFIX.length);
    if (trunkId !== '' && !trunkId.includes('.') && typeof eventBody === 'object' && eventBody !== null)
      return { kind: 'trunk', trunkId, body: eventBody };
  }
  return { kind: 'other', ...(typeof topicName === 'string' ? { topicName } : {}) };
}

function systemFrame(kind: ChannelSystemKind, topicName: string, suffix: string, eventBody: unknown): ChannelSystemFrame {
  const body = (typeof eventBody === 'object' && eventBody !== null ? eventBody : {}) as { channelId?: unknown; reason?: unknown };
  const channelId = typeof body.channelId === 'string' && body.channelId !== '' ? body.channelId : suffix !== '' ? suffix : undefined;
  const reason = typeof body.reason === 'string' && body.reason !== '' ? body.reason.slice(0, 200) : undefined;
  return { kind, topicName, ...(channelId ? { channelId } : {}), ...(reason ? { reason } : {}) };
}
