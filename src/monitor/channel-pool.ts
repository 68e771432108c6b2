import { ChannelSlot, type SlotDeps } from './channel-slot.js';
import type { ReconnectReason } from './monitor-metrics.js';
import { trunkTopic } from './notification-frame.js';

/**
 * The channels that together cover every trunk topic, at most `topicsPerChannel` each. Topics stay
 * on the channel they were first put on, so a new trunk costs one subscription update on one
 * channel, never a reshuffle of the others.
 */
export class ChannelPool {
  private slots: ChannelSlot[] = [];

  constructor(private readonly deps: SlotDeps) {}

  /** Subscribes exactly these trunks' topics, adding channels when the existing ones are full. */
  setTrunks(trunkIds: readonly string[]): void {
    const cap = this.deps.tuning.topicsPerChannel;
    const wanted = new Set(trunkIds.map(trunkTopic));
    const plan = this.slots.map((slot) => ({ slot, before: slot.topicList, topics: slot.topicList.filter((t) => wanted.has(t)) }));
    const placed = new Set(plan.flatMap((p) => p.topics));
    const fresh = [...wanted].filter((t) => !placed.has(t));
    for (const p of plan) {
      while (fresh.length > 0 && p.topics.length < cap) p.topics.push(fresh.shift()!);
    }
    while (fresh.length > 0) plan.push({ slot: new ChannelSlot(this.deps), before: [], topics: fresh.splice(0, cap) });

    this.slots = [];
    for (const p of plan) {
      if (p.topics.length === 0) {
        void p.slot.stop();
        continue;
      }
      this.slots.push(p.slot);
      if (p.topics.length !== p.before.length || p.topics.some((t, i) => t !== p.before[i])) p.slot.setTopics(p.topics);
    }
  }

  /** Moves every channel to a new one (token rotation). */
  renewAll(reason: ReconnectReason): void {
    for (const slot of this.slots) slot.renew(reason);
  }

  /** Closes every channel's socket; resolves once they are closed. */
  async stop(): Promise<void> {
    const slots = this.slots;
    this.slots = [];
    await Promise.all(slots.map((slot) => slot.stop()));
  }

  /** Channels with an open, subscribed socket, and the topics they cover. */
  status(): { channels: number; open: number; topics: number; openTopics: number } {
    const open = this.slots.filter((s) => s.open);
    return {
      channels: this.slots.length,
      open: open.length,
      topics: this.slots.reduce((n, s) => n + s.topicList.length, 0),
      openTopics: open.reduce((n, s) => n + s.topicList.length, 0),
    };
  }
}
