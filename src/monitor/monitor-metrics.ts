import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { sharedMetric } from '../meta/shared-metric.js';
import type { SightingSource } from '../trunks/trunk-sighting.js';

export type PollOutcome = 'ok' | 'failed';
export type FrameKind = 'trunk' | 'heartbeat' | 'pong' | 'socket_closing' | 'no_longer_subscribed' | 'token_revoked' | 'other';
/** Why a channel's socket was replaced (bounded label values). */
export type ReconnectReason =
  'socket_closed' | 'heartbeat_timeout' | 'socket_closing' | 'token_rotated' | 'token_revoked' | 'no_longer_subscribed' | 'channel_gone';

type ChannelCounts = { open: number; topics: number; openTopics: number };

/** Per registry: each monitor's channel counts, by org ('' with one org), read at scrape time. */
const channelReaders = new WeakMap<Registry, Map<string, () => ChannelCounts>>();

/**
 * The trunk monitor's metrics; every label has a small fixed set of values. With several Genesys orgs
 * each org's monitor has its own MonitorMetrics over the same metrics, which then carry an `org` label
 * (the configured names); with one org they carry none, as before.
 */
export class MonitorMetrics {
  private readonly polls: Counter<string>;
  private readonly pollDuration: Histogram<string>;
  private readonly trunksSeen: Gauge<string>;
  private readonly sightings: Counter<string>;
  private readonly sinkFailures: Counter<string>;
  private readonly frames: Counter<string>;
  private readonly reconnects: Counter<string>;
  private readonly org: Record<string, string>;
  private readonly readers: Map<string, () => ChannelCounts>;
  private readonly orgKey: string;

  constructor(registry: Registry, options: { org?: string } = {}) {
    const registers = [registry];
    const extra = options.org === undefined ? [] : ['org'];
    this.org = options.org === undefined ? {} : { org: options.org };
    this.orgKey = options.org ?? '';
    this.polls = sharedMetric(
      registry,
      'trunkgate_monitor_polls_total',
      () =>
        new Counter({
          name: 'trunkgate_monitor_polls_total',
          help: 'Full trunk polls by outcome',
          labelNames: ['outcome', ...extra],
          registers,
        }),
    );
    this.pollDuration = sharedMetric(
      registry,
      'trunkgate_monitor_poll_duration_seconds',
      () =>
        new Histogram({
          name: 'trunkgate_monitor_poll_duration_seconds',
          help: 'Time to read every EXTERNAL trunk page',
          labelNames: extra,
          buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
          registers,
        }),
    );
    this.trunksSeen = sharedMetric(
      registry,
      'trunkgate_monitor_trunks_seen',
      () =>
        new Gauge({
          name: 'trunkgate_monitor_trunks_seen',
          help: 'EXTERNAL trunks seen by the last complete poll',
          labelNames: extra,
          registers,
        }),
    );
    this.sightings = sharedMetric(
      registry,
      'trunkgate_monitor_sightings_total',
      () =>
        new Counter({
          name: 'trunkgate_monitor_sightings_total',
          help: 'Trunk sightings handed to the incident service, by source',
          labelNames: ['source', ...extra],
          registers,
        }),
    );
    this.sinkFailures = sharedMetric(
      registry,
      'trunkgate_monitor_sink_failures_total',
      () =>
        new Counter({
          name: 'trunkgate_monitor_sink_failures_total',
          help: 'Sightings the incident service failed to record, by source',
          labelNames: ['source', ...extra],
          registers,
        }),
    );
    this.frames = sharedMetric(
      registry,
      'trunkgate_monitor_notification_events_total',
      () =>
        new Counter({
          name: 'trunkgate_monitor_notification_events_total',
          help: 'Notifications API frames received, by kind',
          labelNames: ['kind', ...extra],
          registers,
        }),
    );
    this.reconnects = sharedMetric(
      registry,
      'trunkgate_monitor_reconnects_total',
      () =>
        new Counter({
          name: 'trunkgate_monitor_reconnects_total',
          help: 'Notification sockets replaced, by reason',
          labelNames: ['reason', ...extra],
          registers,
        }),
    );
    let readers = channelReaders.get(registry);
    if (!readers) {
      readers = new Map();
      channelReaders.set(registry, readers);
      const all = readers;
      const channelGauge = (name: string, help: string, pick: (c: ChannelCounts) => number) => {
        const gauge: Gauge<string> = new Gauge({
          name,
          help,
          labelNames: extra,
          registers,
          collect: () => {
            for (const [org, read] of all) gauge.set(org === '' ? {} : { org }, pick(read()));
          },
        });
      };
      channelGauge('trunkgate_monitor_channels_open', 'Notification channels with an open, subscribed socket', (c) => c.open);
      channelGauge(
        'trunkgate_monitor_topics_wanted',
        'Trunk topics the monitor means to have subscribed (every trunk it watches; 0 when it does not run or MONITOR_NOTIFICATIONS is off)',
        (c) => c.topics,
      );
      channelGauge('trunkgate_monitor_topics_subscribed', 'Trunk topics covered by open notification channels', (c) => c.openTopics);
    }
    this.readers = readers;
    this.readers.set(this.orgKey, () => ({ open: 0, topics: 0, openTopics: 0 }));
    for (const outcome of ['ok', 'failed'] as const) this.polls.inc({ outcome, ...this.org }, 0);
  }

  /** Where the channel gauges read from at scrape time. */
  trackChannels(read: () => ChannelCounts): void {
    this.readers.set(this.orgKey, read);
  }

  /** A complete poll (with how many trunks it saw) or a failed one. */
  polled(outcome: PollOutcome, seen?: number): void {
    this.polls.inc({ outcome, ...this.org });
    if (seen !== undefined) this.trunksSeen.set(this.org, seen);
  }

  /** How long a poll took, whatever its outcome. */
  pollTook(seconds: number): void {
    this.pollDuration.observe(this.org, seconds);
  }

  frame(kind: FrameKind): void {
    this.frames.inc({ kind, ...this.org });
  }

  reconnected(reason: ReconnectReason): void {
    this.reconnects.inc({ reason, ...this.org });
  }

  sighted(source: SightingSource, ok: boolean): void {
    (ok ? this.sightings : this.sinkFailures).inc({ source, ...this.org });
  }
}
