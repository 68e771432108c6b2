import type { Clock } from '../time/clock.js';
import { windowFromRequest } from './maintenance-input.js';
import type { MaintenanceRequest } from './maintenance-schemas.js';
import type { MaintenanceStore, MaintenanceWindow } from './maintenance-store.js';
import { activeWindowFor, NOT_COVERED, subjectCover, type CoveredTrunk, type SubjectCover } from './maintenance-rules.js';

export interface MaintenanceWindowsOptions {
  store: MaintenanceStore;
  clock: Clock;
  /** The configured Genesys orgs, the default (first) one first. */
  orgs: readonly string[];
  /**
   * How long an ended window still matters to the rules: a failure still present at its end opens an
   * incident this long after it (INCIDENT_OPEN_AFTER_MS); older ends change nothing.
   */
  keepEndedMs: number;
  /** Called after a window was created or ended here (the watchdog announces it at once). */
  onChange?: () => void;
}

/** Ended windows are kept in memory a little longer than they matter, so a late tick still sees them. */
const KEEP_MARGIN_MS = 600_000;

/**
 * The maintenance windows (docs/design.md, "Maintenance windows"): created and ended through the
 * store, so every replica honours them, and cached in memory for the rules, which run on every
 * sighting. The cache is refreshed by the watchdog's tick (`refresh`, at most every few seconds) and
 * at once when a window is created or ended here; a sighting never queries the store for windows.
 */
export class MaintenanceWindows {
  private cached: readonly MaintenanceWindow[] = [];

  constructor(private readonly o: MaintenanceWindowsOptions) {}

  get orgs(): readonly string[] {
    return this.o.orgs;
  }

  /**
   * Reloads the cache: windows not ended, those ended recently enough to matter, and those whose end
   * was not announced yet. Returns what it loaded.
   */
  async refresh(): Promise<readonly MaintenanceWindow[]> {
    const endingAfter = this.o.clock.now() - this.o.keepEndedMs - KEEP_MARGIN_MS;
    this.cached = await this.o.store.listMaintenanceWindows({ endingAfter, unannounced: true });
    return this.cached;
  }

  /** What the cached windows mean for a subject whose failing trunks are these (no store query). */
  cover(failing: readonly CoveredTrunk[], now: number): SubjectCover {
    return this.cached.length === 0 ? NOT_COVERED : subjectCover(this.cached, failing, now);
  }

  /** Current and future windows, from the store (what another replica created shows at once). */
  current(): Promise<MaintenanceWindow[]> {
    return this.o.store.listMaintenanceWindows({ endingAfter: this.o.clock.now() });
  }

  /** The active window covering a trunk among `windows` (from `current()`), for the trunk views. */
  activeFor(windows: readonly MaintenanceWindow[], trunk: CoveredTrunk): MaintenanceWindow | null {
    return activeWindowFor(windows, trunk, this.o.clock.now());
  }

  /** Creates a window from a schema-valid request (throws validation_failed / not_found). */
  async create(request: MaintenanceRequest, createdBy: string): Promise<MaintenanceWindow> {
    const window = windowFromRequest(request, { now: this.o.clock.now(), orgs: this.o.orgs, createdBy });
    await this.o.store.insertMaintenanceWindow(window);
    await this.changed();
    return window;
  }

  /** Ends a current or future window now; false when there is none with that id. */
  async end(id: string): Promise<boolean> {
    const ended = await this.o.store.endMaintenanceWindow(id, this.o.clock.now());
    if (ended) await this.changed();
    return ended;
  }

  private async changed(): Promise<void> {
    // The window is stored: a failed reload is left to the next tick rather than failing the request.
    await this.refresh().catch(() => undefined);
    this.o.onChange?.();
  }
}
