import type { Logger } from '../log/logger.js';
import type { Clock } from '../time/clock.js';
import type { TrunkSightingSink } from '../trunks/trunk-sighting.js';
import { healthOfTrunk } from '../trunks/trunk-health.js';
import { normaliseTrunk } from '../trunks/trunk-state.js';
import type { MonitorMetrics } from './monitor-metrics.js';

/** The one Genesys call polling needs (GenesysClient.listTrunks: EXTERNAL trunks, one page). */
export interface TrunkLister {
  listTrunks(page: { pageNumber: number; pageSize: number }): Promise<Record<string, unknown>>;
}

/** What one full poll found. */
export interface PollResult {
  ok: boolean;
  /** Every EXTERNAL trunk seen (complete only when `ok`). */
  trunkIds: string[];
  /** Sightings handed to the sink. */
  recorded: number;
  pages: number;
  error?: unknown;
}

// A listing that claims more pages than this is broken; stop rather than loop for ever.
const MAX_PAGES = 1_000;

/**
 * Reads every page of EXTERNAL trunks and hands one sighting per trunk to the sink. A trunk whose
 * notification arrived after its page was requested is not recorded from the page: the page may
 * hold the older state, and recording it last would undo the newer one.
 */
export class TrunkPoller {
  private readonly log: Logger;

  constructor(
    private readonly deps: {
      lister: TrunkLister;
      sink: TrunkSightingSink;
      clock: Clock;
      logger: Logger;
      metrics: MonitorMetrics;
      pageSize: number;
      /** True when a notification for the trunk was handled at or after `sinceMono`. */
      notifiedSince: (trunkId: string, sinceMono: number) => boolean;
    },
  ) {
    this.log = deps.logger.child({ module: 'monitor/poller' });
  }

  /** One full poll; `active` turns false when the monitor stops, and the rest of the poll is dropped. */
  async poll(active: () => boolean = () => true): Promise<PollResult> {
    const { lister, clock, metrics, pageSize } = this.deps;
    const started = clock.monotonic();
    const seen = new Set<string>();
    let recorded = 0;
    let sinkFailures = 0;
    let pages = 0;
    try {
      for (let pageNumber = 1, pageCount = 1; pageNumber <= pageCount && pageNumber <= MAX_PAGES && active(); pageNumber++) {
        const requestedAt = clock.monotonic();
        const page = await lister.listTrunks({ pageNumber, pageSize });
        pages++;
        const entities = Array.isArray(page.entities) ? (page.entities as unknown[]) : [];
        pageCount = typeof page.pageCount === 'number' ? page.pageCount : pageNumber;
        for (const wire of entities) {
          if ((wire as { state?: unknown } | null)?.state === 'deleted') continue;
          const observation = normaliseTrunk(wire);
          // Paging is by position, so a trunk added meanwhile can push another onto the next page twice.
          if (!observation.trunkId || seen.has(observation.trunkId)) continue;
          seen.add(observation.trunkId);
          if (this.deps.notifiedSince(observation.trunkId, requestedAt) || !active()) continue;
          const ok = await this.deps.sink
            .record({ ...observation, source: 'poll', observedAt: clock.now(), health: healthOfTrunk(wire) })
            .then(
              () => true,
              (err: unknown) => {
                if (sinkFailures++ === 0)
                  this.log.warn('the incident service could not record a polled trunk', { err, trunkId: observation.trunkId });
                return false;
              },
            );
          metrics.sighted('poll', ok);
          if (ok) recorded++;
        }
        if (entities.length === 0) break;
      }
    } catch (err) {
      metrics.polled('failed');
      return { ok: false, trunkIds: [...seen], recorded, pages, error: err };
    } finally {
      metrics.pollTook((clock.monotonic() - started) / 1000);
      if (sinkFailures > 1) this.log.warn('the incident service failed to record polled trunks', { failures: sinkFailures });
    }
    if (!active()) return { ok: false, trunkIds: [...seen], recorded, pages, error: new Error('the monitor stopped during the poll') };
    metrics.polled('ok', seen.size);
    return { ok: true, trunkIds: [...seen], recorded, pages };
  }
}
