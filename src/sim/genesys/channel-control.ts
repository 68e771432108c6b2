import type { ControlScope } from './control-scope.js';
import { asObject, optionalInt, optionalString, requireBoolean, requireString } from './control-input.js';
import { parsePartialEvents, type TrunkEventField } from './partial-events.js';
import { SimControlError } from './sim-control-error.js';

/** A Notifications API channel as the control API shows it. */
export interface SimChannelInfo {
  id: string;
  clientId: string;
  topics: string[];
  connected: boolean;
  expires: string;
}

/** The Notifications API of the orgs in a control's scope (part of GenesysSimControl). */
export interface GenesysChannelControl {
  /** Live Notifications API channels, with their subscriptions and whether a socket is connected. */
  listChannels(): SimChannelInfo[];
  /** Sends `v2.system.socket_closing` to open sockets (all, or one channel's) and closes them after `graceMs` (default 60000). Returns how many were warned. */
  sendSocketClosing(options?: { channelId?: string; graceMs?: number }): number;
  /** Drops the subscriptions of every channel (or one) and sends `v2.system.no_longer_subscribed.{id}` to its open socket. Returns how many channels. */
  sendNoLongerSubscribed(options?: { channelId?: string }): number;
  /** Sends `v2.system.token_revoked.{id}` to open sockets (all, or one channel's) without revoking anything. Returns how many. */
  sendTokenRevoked(options?: { channelId?: string }): number;
  /** Trunk events as patches: only changed fields (`changedOnly`, default true), never the `omit` ones; `{enabled: false}` sends full snapshots again. */
  setPartialEvents(settings: { enabled: boolean; changedOnly?: boolean; omit?: TrunkEventField[] }): void;
  /** Cuts every notification socket without a close frame, as a network drop would. Returns how many. */
  dropSockets(): number;
  /** Stops (a stalled stream: no heartbeats, no pongs) or restarts heartbeats, optionally at a new period. */
  setHeartbeats(options: { enabled: boolean; intervalMs?: number }): void;
  /** Ends a channel now, as its 24 h running out would: its socket is closed and it is gone. */
  expireChannel(channelId: string): void;
}

export function createChannelControl(scope: ControlScope): GenesysChannelControl {
  const sum = (each: (hub: ControlScope['home']['notifications']) => number) =>
    scope.orgs.reduce((total, o) => total + each(o.notifications), 0);
  return {
    listChannels() {
      return scope.orgs.flatMap((org) => {
        org.notifications.sweep();
        return org.channels.list().map((c) => ({
          id: c.id,
          clientId: c.clientId,
          topics: [...c.topics],
          connected: org.notifications.isConnected(c.id),
          expires: new Date(c.expiresAt).toISOString(),
        }));
      });
    },
    sendSocketClosing(options = {}) {
      const o = asObject(options);
      const channelId = optionalString(o.channelId, 'channelId');
      const graceMs = optionalInt(o.graceMs, 'graceMs', 0);
      return sum((hub) => hub.socketClosing({ channelId, graceMs }));
    },
    sendNoLongerSubscribed(options = {}) {
      const channelId = optionalString(asObject(options).channelId, 'channelId');
      return sum((hub) => hub.noLongerSubscribed({ channelId }));
    },
    sendTokenRevoked(options = {}) {
      const channelId = optionalString(asObject(options).channelId, 'channelId');
      return sum((hub) => hub.tokenRevoked({ channelId }));
    },
    setPartialEvents(settings) {
      const parsed = parsePartialEvents(settings);
      for (const org of scope.orgs) org.notifications.setPartialEvents(structuredClone(parsed));
    },
    dropSockets: () => sum((hub) => hub.dropSockets()),
    setHeartbeats(options) {
      const o = asObject(options);
      const settings = { enabled: requireBoolean(o.enabled, 'enabled'), intervalMs: optionalInt(o.intervalMs, 'intervalMs', 10) };
      for (const org of scope.orgs) org.notifications.setHeartbeats(settings);
    },
    expireChannel(channelId) {
      const id = requireString(channelId, 'channelId');
      const owner = scope.orgs.find((o) => o.channels.expire(id));
      if (!owner) throw new SimControlError('not_found', `no channel ${channelId}`);
      owner.notifications.sweep();
    },
  };
}
