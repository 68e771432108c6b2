import type { Registry } from 'prom-client';
import type { ActionService } from '../actions/action-service.js';
import { bindActions, loadActionMappings } from '../actions/build-actions.js';
import type { Config } from '../config/config.js';
import { connectionsOf } from '../config/connections.js';
import type { Logger } from '../log/logger.js';
import { PermissionWatch } from '../monitor/permission-watch.js';
import { createTrunkMonitor, type TrunkMonitor } from '../monitor/trunk-monitor.js';
import type { Clock } from '../time/clock.js';
import type { TrunkSightingSink } from '../trunks/trunk-sighting.js';
import { GenesysNotificationsClient } from '../upstream/genesys-notifications-client.js';
import { MAPPING_TARGETS, type OrgUpstreams } from './create-upstreams.js';

/** What runs for one Genesys org: its Data Actions, its trunk monitor, and what Genesys refuses it. */
export interface OrgRuntime {
  readonly name: string;
  readonly upstreams: OrgUpstreams;
  /** Its actions, calling its Genesys and its ServiceNow instance. */
  readonly actions: ActionService;
  /** Watches its trunks on the leader; null when `monitor.enabled` is off for it (or a test overrides it so). */
  readonly monitor: TrunkMonitor | null;
  /** Whether Genesys allows what its monitor does (missing permissions). */
  readonly permissions: PermissionWatch;
}

export interface OrgsDeps {
  config: Config;
  orgs: readonly OrgUpstreams[];
  /** The sink of one org's monitor (the trunk ingest, stamping the org). */
  sinkFor(org: string): TrunkSightingSink;
  clock: Clock;
  logger: Logger;
  registry: Registry;
  /** Tests: the first org's actions and monitor instead of those built from config (null: no monitor). */
  actions?: ActionService;
  monitor?: TrunkMonitor | null;
}

/**
 * One runtime per Genesys org (README, "Several orgs"): the mappings are read and checked once, then
 * bound to each org's clients; each org gets its own monitor (its own channels, polls and pacing
 * budget) and its own permission watch. The first org is the default one.
 */
export function createOrgs(deps: OrgsDeps): OrgRuntime[] {
  const { config, clock, logger, registry } = deps;
  const connections = connectionsOf(config);
  const named = connections.fromFile;
  // Mappings first: a broken one stops start-up before anything is opened.
  const mappings =
    deps.actions && deps.orgs.length === 1
      ? []
      : loadActionMappings({ mappingsDir: config.mappingsDir, defaultTimeoutMs: config.actionTimeoutMs, targets: MAPPING_TARGETS });
  return deps.orgs.map((upstreams, i) => {
    const org = connections.orgs[i]!;
    const first = i === 0;
    const actions = (first ? deps.actions : undefined) ?? bindActions(mappings, [upstreams.genesys, upstreams.servicenow], clock);
    const permissions = new PermissionWatch({ clock, logger, registry, org: named ? org.name : undefined });
    const built = () =>
      createTrunkMonitor({
        config: { monitor: org.monitor },
        genesysClient: upstreams.genesys.client,
        notificationsClient: new GenesysNotificationsClient(upstreams.genesys.client),
        credentials: upstreams.genesys.credentials,
        sink: deps.sinkFor(org.name),
        clock,
        logger,
        registry,
        permissions,
        org: named ? org.name : undefined,
      });
    const monitor = first && deps.monitor !== undefined ? deps.monitor : org.monitor.enabled ? built() : null;
    return { name: org.name, upstreams, actions, monitor, permissions };
  });
}
