import { EventEmitter } from 'node:events';
import { Gauge, type Registry } from 'prom-client';
import type { Logger } from '../log/logger.js';
import type { Clock } from '../time/clock.js';
import { refusalOfError } from '../upstream/genesys-permissions.js';
import type { NotificationsClient } from '../upstream/genesys-notifications-client.js';

/** What the trunk monitor does with Genesys that a missing permission can stop (a bounded label value). */
export type WatchedFeature = 'trunk polling' | 'trunk notifications';
const FEATURES: readonly WatchedFeature[] = ['trunk polling', 'trunk notifications'];

/** A feature Genesys refuses because the OAuth client's role lacks a permission. */
export interface MissingPermission {
  feature: WatchedFeature;
  /** The call refused, e.g. `GET trunks`. */
  operation: string;
  /** The permissions Genesys named (empty when it did not say). */
  permissions: string[];
  code?: string;
  /** The refusal in words, naming the operation and the permission(s). */
  message: string;
  since: number;
}

export interface PermissionWatchEvents {
  /** The set of refused features changed and is not empty (every current problem). */
  missing: [problems: MissingPermission[], at: number];
  /** Every feature that was refused works again. */
  restored: [at: number];
}

/** Per registry: every PermissionWatch reporting into its gauge (one per Genesys org). */
const watchesOf = new WeakMap<Registry, Set<PermissionWatch>>();

/**
 * The last word Genesys said on each thing the monitor needs a permission for: a refusal (a 403 that
 * survived the broker's re-auth, so not a rotation race) or a success. A missing permission does not
 * heal by itself, so it is logged at ERROR once, shown by /readyz, counted in a gauge and announced to
 * the credentials incident; the next success of that feature clears it.
 */
export class PermissionWatch extends EventEmitter<PermissionWatchEvents> {
  private readonly refused = new Map<WatchedFeature, MissingPermission>();
  private checkedAt?: number;
  private readonly log: Logger;

  /** `org`: with several Genesys orgs, the one whose monitor it watches (the gauge and logs carry it). */
  constructor(private readonly deps: { clock: Clock; logger: Logger; registry?: Registry; org?: string }) {
    super();
    this.log = deps.logger.child({ module: 'monitor/permissions', ...(deps.org ? { org: deps.org } : {}) });
    if (deps.registry) {
      const registry = deps.registry;
      const org = deps.org;
      let watches = watchesOf.get(registry);
      if (!watches) {
        watches = new Set();
        watchesOf.set(registry, watches);
        const all = watches;
        const gauge: Gauge<string> = new Gauge({
          name: 'trunkgate_genesys_permission_missing',
          help: "1 while Genesys refuses a monitor feature because the OAuth client's role lacks a permission",
          labelNames: org === undefined ? ['feature'] : ['feature', 'org'],
          registers: [registry],
          collect: () => {
            for (const w of all)
              for (const feature of FEATURES)
                gauge.set({ feature, ...(w.deps.org ? { org: w.deps.org } : {}) }, w.refused.has(feature) ? 1 : 0);
          },
        });
      }
      watches.add(this);
    }
  }

  /** A feature's call failed: records it when it is a permission refusal; returns whether it was one. */
  failed(feature: WatchedFeature, err: unknown): boolean {
    const refusal = refusalOfError(err);
    if (!refusal) return false;
    const now = this.deps.clock.now();
    this.checkedAt = now;
    const previous = this.refused.get(feature);
    const problem: MissingPermission = {
      feature,
      operation: refusal.operation,
      permissions: refusal.permissions,
      ...(refusal.code === undefined ? {} : { code: refusal.code }),
      message: refusal.message,
      since: previous?.since ?? now,
    };
    this.refused.set(feature, problem);
    if (previous && previous.message === problem.message) return true;
    this.log.error(`Genesys refuses ${feature}: ${refusal.message}; a person must grant the permission to the OAuth client's role`, {
      feature,
      operation: refusal.operation,
      missingPermissions: refusal.permissions,
      code: refusal.code,
    });
    this.emit('missing', this.problems(), now);
    return true;
  }

  /** A feature's call succeeded: a refusal recorded for it is over. */
  succeeded(feature: WatchedFeature): void {
    const now = this.deps.clock.now();
    this.checkedAt = now;
    const previous = this.refused.get(feature);
    if (!previous) return;
    this.refused.delete(feature);
    this.log.info(`Genesys allows ${feature} again`, { feature, operation: previous.operation });
    if (this.refused.size === 0) this.emit('restored', now);
    else this.emit('missing', this.problems(), now);
  }

  problems(): MissingPermission[] {
    return [...this.refused.values()];
  }

  /**
   * For /readyz (an advisory check: see the README, "Permissions and OAuth scopes"). With several
   * replicas only the leader runs the monitor, so a follower reports what it last saw, if anything.
   */
  readiness(): { ok: boolean; detail: string } {
    const problems = this.problems();
    if (problems.length > 0) {
      const each = problems.map((p) => `${p.feature}: ${p.message} (since ${new Date(p.since).toISOString()})`);
      return {
        ok: false,
        detail: `${each.join('; ')}. The registration watchdog is blind to what Genesys refuses until the permission is granted`,
      };
    }
    if (this.checkedAt === undefined) return { ok: true, detail: 'not checked yet: this replica has not called Genesys for trunks' };
    return { ok: true, detail: `Genesys allowed the trunk monitor's last calls (${new Date(this.checkedAt).toISOString()})` };
  }
}

/** The notifications client, reporting each subscription's outcome to the watch (creating channels needs no permission). */
export function watchedNotifications(client: NotificationsClient, watch: PermissionWatch): NotificationsClient {
  const subscribe = async (call: Promise<void>) => {
    try {
      await call;
      watch.succeeded('trunk notifications');
    } catch (err) {
      watch.failed('trunk notifications', err);
      throw err;
    }
  };
  return {
    createChannel: () => client.createChannel(),
    channelExists: (channelId) => client.channelExists(channelId),
    replaceSubscriptions: (channelId, topics) => subscribe(client.replaceSubscriptions(channelId, topics)),
    addSubscriptions: (channelId, topics) => subscribe(client.addSubscriptions(channelId, topics)),
  };
}
