import { Counter, Gauge, type Registry } from 'prom-client';

/** Leadership metrics; the `lease` label is one of a fixed few names (trunk-monitor). */
export class LeaseMetrics {
  private readonly changes: Counter<'lease' | 'event'>;
  private readonly readers = new Map<string, () => boolean>();

  constructor(registry: Registry) {
    this.changes = new Counter({
      name: 'trunkgate_leadership_changes_total',
      help: 'Times this replica was elected or revoked, by lease',
      labelNames: ['lease', 'event'],
      registers: [registry],
    });
    const readers = this.readers;
    new Gauge({
      name: 'trunkgate_leader',
      help: '1 while this replica holds the lease, 0 otherwise',
      labelNames: ['lease'],
      registers: [registry],
      collect() {
        for (const [lease, read] of readers) this.set({ lease }, read() ? 1 : 0);
      },
    });
  }

  track(lease: string, isLeader: () => boolean): void {
    this.readers.set(lease, isLeader);
  }

  changed(lease: string, event: 'elected' | 'revoked'): void {
    this.changes.inc({ lease, event });
  }
}
