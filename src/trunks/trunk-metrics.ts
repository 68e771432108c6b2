import { Counter, Gauge, type Registry } from 'prom-client';
import type { TrunkRow } from './trunk-store.js';
import { trunkStates } from './trunk-state.js';

/**
 * `trunkgate_trunks{state}`: the trunks trunkgate knows of (from the monitor and POST /v1/events), by
 * state, read from the store at scrape time. The store is the record every replica shares, so each one
 * reports the same figures whether it leads the monitor or not (aggregate with max, not sum). Trunks
 * Genesys no longer lists (`goneAt`) are left out. Every state is reported, 0 included, so a panel or a
 * rule never sees a state vanish.
 */
export class TrunkStateMetrics {
  /** The read in flight: scrapes that overlap (two Prometheus servers) share it, so at most one runs at a time. */
  private reading?: Promise<Map<string, number>>;

  constructor(
    registry: Registry,
    private readonly listTrunks: () => Promise<TrunkRow[]>,
  ) {
    const gauge: Gauge<'state'> = new Gauge({
      name: 'trunkgate_trunks',
      help: 'Trunks known to trunkgate, by state (registered, connected, rejected, dropped, unknown); the same on every replica (read from the shared store)',
      labelNames: ['state'],
      registers: [registry],
      collect: async () => {
        try {
          const counts = await this.counts();
          for (const state of trunkStates) gauge.set({ state }, counts.get(state) ?? 0);
        } catch {
          // An unreachable store leaves the last figures; readiness reports the store.
        }
      },
    });
  }

  private counts(): Promise<Map<string, number>> {
    this.reading ??= this.listTrunks()
      .then((trunks) => {
        const byState = new Map<string, number>();
        for (const trunk of trunks) if (trunk.goneAt === null) byState.set(trunk.state, (byState.get(trunk.state) ?? 0) + 1);
        return byState;
      })
      .finally(() => {
        this.reading = undefined;
      });
    return this.reading;
  }
}

export type IngestOutcome = 'applied' | 'duplicate' | 'stale';

/** `trunkgate_trunk_sightings_total{outcome}`: sightings and trunk events recorded, by outcome. */
export class SightingMetrics {
  private readonly sightings: Counter<'outcome'>;

  constructor(registry: Registry) {
    this.sightings = new Counter({
      name: 'trunkgate_trunk_sightings_total',
      help: 'Trunk sightings recorded, by outcome (applied, duplicate, stale)',
      labelNames: ['outcome'],
      registers: [registry],
    });
  }

  sighting(outcome: IngestOutcome): void {
    this.sightings.inc({ outcome });
  }
}
