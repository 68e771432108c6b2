import { judgePatch } from '../../src/trunks/judge-patch.js';
import type { TrunkHealth } from '../../src/trunks/trunk-health.js';
import type { TrunkPatch, TrunkSighting, TrunkSightingSink } from '../../src/trunks/trunk-sighting.js';

/**
 * A sink that keeps every sighting and lets a test wait for one, resolved on arrival (never by time).
 * Trunk events are judged as the incident service judges them: patches on the trunk's last health.
 */
export class RecordingSink implements TrunkSightingSink {
  readonly sightings: TrunkSighting[] = [];
  /** The raw events, as the monitor handed them over. */
  readonly patches: TrunkPatch[] = [];
  private readonly health = new Map<string, TrunkHealth>();
  /** The trunk ids of every complete poll, in order. */
  readonly listings: string[][] = [];
  private failures: Error[] = [];
  private readonly waiters: Array<{ from: number; match: (s: TrunkSighting) => boolean; resolve: (s: TrunkSighting) => void }> = [];

  async recordPatch(patch: TrunkPatch): Promise<boolean> {
    const failure = this.failures.shift();
    if (failure) throw failure;
    this.patches.push(patch);
    return this.keep(judgePatch(patch, this.health.get(patch.trunkId) ?? null));
  }

  async record(sighting: TrunkSighting): Promise<boolean> {
    const failure = this.failures.shift();
    if (failure) throw failure;
    return this.keep(sighting);
  }

  private keep(sighting: TrunkSighting): boolean {
    if (sighting.health) this.health.set(sighting.trunkId, sighting.health);
    this.sightings.push(sighting);
    for (const w of [...this.waiters]) {
      if (this.sightings.length > w.from && w.match(sighting)) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(sighting);
      }
    }
    return true;
  }

  async listed(trunkIds: readonly string[]): Promise<void> {
    this.listings.push([...trunkIds]);
  }

  /** The next `count` record calls throw. */
  failNext(count = 1, error = new Error('incident store unavailable')): void {
    for (let i = 0; i < count; i++) this.failures.push(error);
  }

  /** The first sighting at index ≥ `from` that matches, already recorded or still to come. */
  waitFor(match: (s: TrunkSighting) => boolean, from = 0): Promise<TrunkSighting> {
    const found = this.sightings.slice(from).find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve) => this.waiters.push({ from, match, resolve }));
  }

  bySource(source: TrunkSighting['source']): TrunkSighting[] {
    return this.sightings.filter((s) => s.source === source);
  }
}
