import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { TokenStore } from './token-store.js';

/** A Notifications API channel of the simulated org. */
export interface SimChannel {
  readonly id: string;
  readonly clientId: string;
  /** The access token that created the channel: the channel dies when it expires or is revoked. */
  readonly token: string;
  readonly createdAt: number;
  expiresAt: number;
  lastUsedAt: number;
  topics: Set<string>;
}

/** The service's limits (docs/genesys-cloud.md, 'Notifications API'). */
export interface ChannelLimits {
  /** Default 24 h; re-subscribing starts it again. */
  lifetimeMs: number;
  /** Default 20 per OAuth client: creating one more removes the oldest. */
  maxChannelsPerClient: number;
  /** Default 1000 per channel (one socket per channel). */
  maxTopicsPerChannel: number;
}

export const DEFAULT_CHANNEL_LIMITS: ChannelLimits = {
  lifetimeMs: 24 * 3_600_000,
  maxChannelsPerClient: 20,
  maxTopicsPerChannel: 1000,
};

/** Why a channel stopped existing. */
export type ChannelEndReason = 'expired' | 'token_expired' | 'token_revoked' | 'evicted';

/**
 * The channels and their subscriptions, without the sockets. Channels belong to the token that made
 * them: listing defaults to that token's channels (`includechannels=token`, the SDK's option), and the
 * channel lives no longer than the token. Whether a later subscribe call with a newer token rebinds
 * the channel is unconfirmed; the simulator assumes it does not, the stricter reading.
 */
export class ChannelRegistry {
  private readonly channels = new Map<string, SimChannel>();

  constructor(
    private readonly clock: Clock,
    private readonly tokens: TokenStore,
    readonly limits: ChannelLimits,
  ) {}

  /**
   * Creates a channel; when the client already has the maximum, the oldest by last use is removed,
   * those without a connected socket first (Genesys "Notifications" guide).
   */
  create(token: { token: string; clientId: string }, isConnected: (id: string) => boolean): { channel: SimChannel; evicted?: SimChannel } {
    const now = this.clock();
    const own = [...this.channels.values()].filter((c) => c.clientId === token.clientId);
    let evicted: SimChannel | undefined;
    if (own.length >= this.limits.maxChannelsPerClient) {
      own.sort((a, b) => Number(isConnected(a.id)) - Number(isConnected(b.id)) || a.lastUsedAt - b.lastUsedAt);
      evicted = own[0]!;
      this.channels.delete(evicted.id);
    }
    const channel: SimChannel = {
      id: `streaming-0-${randomBytes(15).toString('hex')}`,
      clientId: token.clientId,
      token: token.token,
      createdAt: now,
      expiresAt: now + this.limits.lifetimeMs,
      lastUsedAt: now,
      topics: new Set(),
    };
    this.channels.set(channel.id, channel);
    return { channel, evicted };
  }

  /** A live channel of this client, or undefined (another client's channel is "not found"). */
  get(id: string, clientId?: string): SimChannel | undefined {
    const channel = this.channels.get(id);
    if (!channel || (clientId !== undefined && channel.clientId !== clientId)) return undefined;
    return this.endReason(channel) ? undefined : channel;
  }

  list(filter: { clientId?: string; token?: string } = {}): SimChannel[] {
    return [...this.channels.values()].filter(
      (c) =>
        !this.endReason(c) &&
        (filter.clientId === undefined || c.clientId === filter.clientId) &&
        (filter.token === undefined || c.token === filter.token),
    );
  }

  /**
   * PUT replaces the subscriptions, POST adds to them; either starts the 24 h again. Returns false,
   * changing nothing, when the result would exceed the per-channel topic limit.
   */
  subscribe(channel: SimChannel, topics: string[], mode: 'replace' | 'add'): boolean {
    const next = new Set(mode === 'replace' ? topics : [...channel.topics, ...topics]);
    if (next.size > this.limits.maxTopicsPerChannel) return false;
    const now = this.clock();
    channel.topics = next;
    channel.expiresAt = now + this.limits.lifetimeMs;
    channel.lastUsedAt = now;
    return true;
  }

  /** Drops every subscription without starting the 24 h again (what `no_longer_subscribed` announces). */
  dropSubscriptions(channel: SimChannel): void {
    channel.topics = new Set();
  }

  touch(channel: SimChannel): void {
    channel.lastUsedAt = this.clock();
  }

  /** Ends a channel at once (as its 24 h running out would). */
  expire(id: string): SimChannel | undefined {
    const channel = this.channels.get(id);
    if (channel) channel.expiresAt = Math.min(channel.expiresAt, this.clock());
    return channel;
  }

  /** Removes channels whose lifetime or token ended and returns them with the reason. */
  sweep(): Array<{ channel: SimChannel; reason: ChannelEndReason }> {
    const ended: Array<{ channel: SimChannel; reason: ChannelEndReason }> = [];
    for (const channel of this.channels.values()) {
      const reason = this.endReason(channel);
      if (reason) {
        this.channels.delete(channel.id);
        ended.push({ channel, reason });
      }
    }
    return ended;
  }

  clear(): SimChannel[] {
    const all = [...this.channels.values()];
    this.channels.clear();
    return all;
  }

  private endReason(channel: SimChannel): ChannelEndReason | undefined {
    if (this.clock() >= channel.expiresAt) return 'expired';
    const check = this.tokens.check(channel.token).outcome;
    return check === 'expired' ? 'token_expired' : check === 'revoked' ? 'token_revoked' : undefined;
  }
}
