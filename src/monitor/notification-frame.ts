import type { FrameKind } from './monitor-metrics.js';

export const TRUNK_TOPIC_PREFIX = 'v2.telephony.providers.edges.trunks.';

/** The Notifications API topic of one trunk's health. */
export function trunkTopic(trunkId: string): string {
  return `${TRUNK_TOPIC_PREFIX}${trunkId}`;
}

/** What one websocket frame means to the monitor. */
export type NotificationFrame =
  | { kind: Exclude<FrameKind, 'trunk'>; topicName?: string }
  | { kind: 'trunk'; trunkId: string; body: unknown };

/**
 * Reads a frame: heartbeats and pongs (`channel.metadata`), `v2.system.socket_closing`, and trunk
 * events. Sub-topics such as `…trunks.{id}.metrics` are not health events and count as `other`.
 * Returns undefined for text that is not a JSON object.
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
  if (typeof topicName === 'string' && topicName.startsWith(TRUNK_TOPIC_PREFIX)) {
    const trunkId = topicName.slice(TRUNK_TOPIC_PREFIX.length);
    if (trunkId !== '' && !trunkId.includes('.') && typeof eventBody === 'object' && eventBody !== null) return { kind: 'trunk', trunkId, body: eventBody };
  }
  return { kind: 'other', ...(typeof topicName === 'string' ? { topicName } : {}) };
}
