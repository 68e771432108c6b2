import { Counter, Gauge, type Registry } from 'prom-client';
import type { TrunkRow } from './trunk-store.js';
import { trunkStates } from './trunk-state.js';

/**
 * `trunkgate_trunks{state}`: the trunks trunkgate knows of (from the monitor and POST /v1/events), by
 * state, read from the store at scrape time. The store is the record every replica shares, so each one
 * reports the same figures whether it leads the monitor or not (aggregate with max, not sum). Trunks
 * Genesys no longer lists (`goneAt`) are left out. Every state is reported, 0 included, so a panel or a
 * rule never sees a state vanish. With a connections file (`orgs`: the configured org names) the
 * figures are per org, labelled `org`; trunks of an org no longer in the file are left out.
 */
export class TrunkStateMetrics {
  /** The read in flight: scrapes that overlap (two Prometheus servers) share it, so at most one runs at a time. */
  private reading?: Promise<Map<string, number>>;

  constructor(
    registry: Registry,
    private readonly listTrunks: () => Promise<TrunkRow[]>,
    private readonly orgs?: readonly string[],
  ) {
    const gauge: Gauge<string> = new Gauge({
      name: 'trunkgate_trunks',
      help: 'Trunks known to trunkgate, by state (registered, connected, rejected, dropped, unknown); the same on every replica (read from the shared store)',
      labelNames: orgs ? ['state', 'org'] : ['state'],
      registers: [registry],
      collect: async () => {
        try {
          const counts = await this.counts();
          for (const org of orgs ?? [undefined])
            for (const state of trunkStates) gauge.set(org === undefined ? { state } : { state, org }, counts.get(key(state, org)) ?? 0);
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
        for (const trunk of trunks) {
          if (trunk.goneAt !== null) continue;
          const k = key(trunk.state, this.orgs ? trunk.org : undefined);
          byState.set(k, (byState.get(k) ?? 0) + 1);
        }
        return byState;
      })
      .finally(() => {
        this.reading = undefined;
      });
    return this.reading;
  }
}

function key(state: string, org: string | undefined): string {
  return org === undefined ? state : `${org}\0${state}`;
}

export type IngestOutcome = 'applied' | 'duplicate' | 'stale';

/**
 * `trunkgate_trunk_sightings_total{outcome}`: sightings and trunk events recorded, by outcome; with a
 * connections file also by `org` (a configured name: an event for another org is refused before this).
 */
export class SightingMetrics {
  private readonly sightings: Counter<string>;

  constructor(
    registry: Registry,
    private readonly perOrg = false,
  ) {
    this.sightings = new Counter({
      name: 'trunkgate_trunk_sightings_total',
      help: 'Trunk sightings recorded, by outcome (applied, duplicate, stale)',
      labelNames: perOrg ? ['outcome', 'org'] : ['outcome'],
      registers: [registry],
    });
  }

  sighting(outcome: IngestOutcome, org?: string): void {
    this.sightings.inc(this.perOrg && org !== undefined ? { outcome, org } : { outcome });
  }
}
