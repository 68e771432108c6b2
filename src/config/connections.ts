import type { Config, GenesysConfig, ServiceNowConfig } from './config.js';

/** Org and instance names: lower-case keys used in URLs, metric labels and correlation ids. */
export const CONNECTION_NAME = /^[a-z][a-z0-9-]{0,31}$/;

/** The org and the instance the GENESYS_* / SERVICENOW_* variables describe, when there is no CONNECTIONS_FILE. */
export const DEFAULT_CONNECTION = 'default';

/** One Genesys Cloud org: its OAuth client and limits, its trunk monitor, and where its incidents go. */
export interface GenesysOrgConfig extends GenesysConfig {
  name: string;
  /** The ServiceNow instance (by name) its incidents and ServiceNow actions go to. */
  servicenow: string;
  /** The org's trunk monitor: global MONITOR_* unless the file overrides them for the org. */
  monitor: { enabled: boolean; pollIntervalMs: number; notifications: boolean };
}

/** One ServiceNow instance, named so orgs and routes can point at it. */
export interface ServiceNowInstanceConfig extends ServiceNowConfig {
  name: string;
}

/** What a route applies to: every key it names must match (globs: `*`, `?`, case-insensitive). */
export interface RouteMatch {
  org?: string;
  trunkId?: string;
  trunkName?: string;
  trunkBaseId?: string;
  edgeId?: string;
  edgeName?: string;
}

/** Where the incidents of matching subjects go, and the incident fields they get. */
export interface RouteConfig {
  match: RouteMatch;
  /** Overrides the org's own instance. */
  servicenow?: string;
  /** Incident fields overriding incident.yaml's. */
  fields?: Record<string, string | number | boolean>;
}

/** Every Genesys org and ServiceNow instance trunkgate connects to, and the incident routes between them. */
export interface ConnectionsConfig {
  /** true: from CONNECTIONS_FILE; false: the GENESYS_* / SERVICENOW_* variables as one org and one instance, both named `default`. */
  fromFile: boolean;
  /** At least one; the first is the default org (POST /v1/actions/{name}, POST /v1/events without org). */
  orgs: GenesysOrgConfig[];
  instances: ServiceNowInstanceConfig[];
  /** First match wins. */
  routes: RouteConfig[];
}

/** The single org and instance of the GENESYS_* / SERVICENOW_* variables, both named `default`, monitored as MONITOR_* says. */
export function defaultConnections(config: Pick<Config, 'genesys' | 'monitor' | 'servicenow'>): ConnectionsConfig {
  const { genesys, servicenow, monitor } = config;
  return {
    fromFile: false,
    orgs: [
      {
        ...genesys,
        name: DEFAULT_CONNECTION,
        servicenow: DEFAULT_CONNECTION,
        monitor: { enabled: true, pollIntervalMs: monitor.pollIntervalMs, notifications: monitor.notifications },
      },
    ],
    instances: [{ ...servicenow, name: DEFAULT_CONNECTION }],
    routes: [],
  };
}

/** The instance an org's incidents and ServiceNow actions go to (names are checked when the configuration is read). */
export function instanceOf(connections: ConnectionsConfig, org: GenesysOrgConfig): ServiceNowInstanceConfig {
  const instance = connections.instances.find((i) => i.name === org.servicenow);
  if (!instance) throw new Error(`org "${org.name}" names the ServiceNow instance "${org.servicenow}", which is not configured`);
  return instance;
}

/**
 * The deployment's connections. `Config` always has them (loadConfig); a configuration put together by
 * hand (a test, a tool) may leave them out and gets the first org and instance of its variables.
 */
export function connectionsOf(
  config: Pick<Config, 'genesys' | 'monitor' | 'servicenow'> & { connections?: ConnectionsConfig },
): ConnectionsConfig {
  return config.connections ?? defaultConnections(config);
}
