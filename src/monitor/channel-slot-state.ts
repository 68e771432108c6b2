import type { Logger } from '../log/logger.js';
import type { Clock, Timer } from '../time/clock.js';
import type { NotificationChannel, NotificationsClient } from '../upstream/genesys-notifications-client.js';
import type { NotificationSocket, NotificationSocketConnector } from '../upstream/notification-socket.js';
import type { MonitorMetrics, ReconnectReason } from './monitor-metrics.js';
import type { MonitorTuning } from './monitor-tuning.js';
import type { NotificationFrame } from './notification-frame.js';

// What a ChannelSlot (channel-slot.ts) is given, and what it holds of its channel and socket.

/** What a slot needs from the monitor. */
export interface SlotDeps {
  client: NotificationsClient;
  connector: NotificationSocketConnector;
  clock: Clock;
  logger: Logger;
  metrics: MonitorMetrics;
  tuning: MonitorTuning;
  random: () => number;
  /** Every frame from any of the slot's sockets (trunk events are handled whatever socket brings them). */
  onFrame(frame: NotificationFrame): void;
  /** A new socket is open and subscribed: events from before it may have been lost. */
  onConnected(info: { channelId: string; reason: ReconnectReason | 'connect'; topics: number }): void;
  /** The channel's subscriptions were set (on connect, on a topic change, on the daily refresh). */
  onSubscribed(info: { channelId: string; topics: number }): void;
  /** Subscriptions Genesys had dropped (`no_longer_subscribed`) are set again: events from before may have been lost. */
  onRestored(info: { channelId: string; topics: number }): void;
}

export interface Connection {
  socket: NotificationSocket;
  /** The channel the socket was opened on. */
  channelId: string;
  closed: boolean;
  /** Being replaced: its close is expected (a reused channel takes the new socket) and needs no reconnect. */
  retiring: boolean;
}

export interface Live {
  channel: NotificationChannel;
  conn: Connection;
  /** The topics last subscribed, as one string, to spot a change. */
  subscribed: string;
  lifetimeMs: number;
  timers: { ping?: Timer; dead?: Timer; refresh?: Timer };
  /** `no_longer_subscribed` frames for this channel; set again after the first, replaced after the second. */
  subscriptionsLost: number;
  /** The topics must be subscribed again: Genesys dropped them. */
  restoreDue: boolean;
}

const DAY_MS = 24 * 3_600_000;

/** A channel's lifetime as announced by `expires` (24 h when it says nothing usable). */
export function channelLifetimeMs(channel: NotificationChannel, now: number): number {
  const left = Date.parse(channel.expires) - now;
  return Number.isFinite(left) && left > 60_000 ? left : DAY_MS;
}

/** Stops a live channel's timers and, with `closeSocket`, closes its socket (once). */
export function retire(live: Live, closeSocket: boolean): Promise<void> {
  live.timers.ping?.cancel();
  live.timers.dead?.cancel();
  live.timers.refresh?.cancel();
  if (!closeSocket || live.conn.closed) return Promise.resolve();
  live.conn.closed = true;
  return live.conn.socket.close();
}
