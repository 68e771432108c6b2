import type { Config, GenesysConfig, ServiceNowConfig } from './config.js';

/** Org and instance names: lower-case keys used in URLs, metric labels and correlation ids. */
export const CONNECTION_NAME = /^[a-z][a-z0-9-]{0,31}$/;

/** The name of the one org and the one instance the GENESYS_* / SERVICENOW_* variables describe. */
export const DEFAULT_CONNECTION = 'default';

export interface GenesysOrgConfig extends GenesysConfig {
  name: string;
  /** The ServiceNow instance (by name) its incidents and ServiceNow actions go to. */
  servicenow: string;
  /** The org's trunk monitor: global MONITOR_* unless the file overrides them for the org. */
  monitor: { enabled: boolean; pollIntervalMs: number; notifications: boolean };
}

export interface ServiceNowInstanceConfig extends ServiceNowConfig {
  name: string;
}

export interface RouteMatch {
  org?: string;
  trunkId?: string;
  trunkName?: string;
  trunkBaseId?: string;
  edgeId?: string;
  edgeName?: string;
}

export interface RouteConfig {
  match: RouteMatch;
  servicenow?: string;
  fields?: Record<string, string | number | boolean>;
}

export interface ConnectionsConfig {
  /** true: from CONNECTIONS_FILE; false: the GENESYS_* / SERVICENOW_* variables as one org and one instance, both named `default`. */
  fromFile: boolean;
  /** At least one; the first is the default org (POST /v1/actions/{name}, POST /v1/events without org). */
  orgs: GenesysOrgConfig[];
  instances: ServiceNowInstanceConfig[];
  /** First match wins. */
  routes: RouteConfig[];
}

/** The deployment's connections: CONNECTIONS_FILE's, or the GENESYS_* / SERVICENOW_* variables as one org and one instance. */
export function connectionsOf(config: Pick<Config, 'genesys' | 'servicenow' | 'monitor' | 'connections'>): ConnectionsConfig {
  return (
    config.connections ?? {
      fromFile: false,
      orgs: [{ ...config.genesys, name: DEFAULT_CONNECTION, servicenow: DEFAULT_CONNECTION, monitor: { enabled: true, ...config.monitor } }],
      instances: [{ ...config.servicenow, name: DEFAULT_CONNECTION }],
      routes: [],
    }
  );
}
