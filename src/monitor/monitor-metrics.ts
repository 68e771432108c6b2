import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { SightingSource } from '../trunks/trunk-sighting.js';

export type PollOutcome = 'ok' | 'failed';
export type FrameKind = 'trunk' | 'heartbeat' | 'pong' | 'socket_closing' | 'no_longer_subscribed' | 'token_revoked' | 'other';
/** Why a channel's socket was replaced (bounded label values). */
export type ReconnectReason =
  'socket_closed' | 'heartbeat_timeout' | 'socket_closing' | 'token_rotated' | 'token_revoked' | 'no_longer_subscribed' | 'channel_gone';

/** The trunk monitor's metrics; every label has a small fixed set of values. */
export class MonitorMetrics {
  readonly polls: Counter<'outcome'>;
  readonly pollDuration: Histogram;
  readonly trunksSeen: Gauge;
  readonly sightings: Counter<'source'>;
  readonly sinkFailures: Counter<'source'>;
  readonly frames: Counter<'kind'>;
  readonly reconnects: Counter<'reason'>;
  private readChannels: () => { open: number; topics: number; openTopics: number } = () => ({ open: 0, topics: 0, openTopics: 0 });

  constructor(registry: Registry) {
    const registers = [registry];
    this.polls = new Counter({
      name: 'trunkgate_monitor_polls_total',
      help: 'Full trunk polls by outcome',
      labelNames: ['outcome'],
      registers,
    });
    this.pollDuration = new Histogram({
      name: 'trunkgate_monitor_poll_duration_seconds',
      help: 'Time to read every EXTERNAL trunk page',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
      registers,
    });
    this.trunksSeen = new Gauge({
      name: 'trunkgate_monitor_trunks_seen',
      help: 'EXTERNAL trunks seen by the last complete poll',
      registers,
    });
    this.sightings = new Counter({
      name: 'trunkgate_monitor_sightings_total',
      help: 'Trunk sightings handed to the incident service, by source',
      labelNames: ['source'],
      registers,
    });
    this.sinkFailures = new Counter({
      name: 'trunkgate_monitor_sink_failures_total',
      help: 'Sightings the incident service failed to record, by source',
      labelNames: ['source'],
      registers,
    });
    this.frames = new Counter({
      name: 'trunkgate_monitor_notification_events_total',
      help: 'Notifications API frames received, by kind',
      labelNames: ['kind'],
      registers,
    });
    this.reconnects = new Counter({
      name: 'trunkgate_monitor_reconnects_total',
      help: 'Notification sockets replaced, by reason',
      labelNames: ['reason'],
      registers,
    });
    const read = () => this.readChannels();
    new Gauge({
      name: 'trunkgate_monitor_channels_open',
      help: 'Notification channels with an open, subscribed socket',
      registers,
      collect() {
        this.set(read().open);
      },
    });
    new Gauge({
      name: 'trunkgate_monitor_topics_wanted',
      help: 'Trunk topics the monitor means to have subscribed (every trunk it watches; 0 when it does not run or MONITOR_NOTIFICATIONS is off)',
      registers,
      collect() {
        this.set(read().topics);
      },
    });
    new Gauge({
      name: 'trunkgate_monitor_topics_subscribed',
      help: 'Trunk topics covered by open notification channels',
      registers,
      collect() {
        this.set(read().openTopics);
      },
    });
    for (const outcome of ['ok', 'failed'] as const) this.polls.inc({ outcome }, 0);
  }

  /** Where the channel gauges read from at scrape time. */
  trackChannels(read: () => { open: number; topics: number; openTopics: number }): void {
    this.readChannels = read;
  }

  sighted(source: SightingSource, ok: boolean): void {
    (ok ? this.sightings : this.sinkFailures).inc({ source });
  }
}
