import { DEFAULT_CONNECTION, type ConnectionsConfig } from '../config/connections.js';
import { matchRoute, type RouteSubject } from '../config/route-match.js';

/** Where an incident goes: the ServiceNow instance (connection name) and fields overriding incident.yaml's. */
export interface IncidentRoute {
  instance: string;
  fields: Record<string, string | number | boolean>;
}

export type IncidentRouter = (subject: RouteSubject) => IncidentRoute;

/** One org, one instance, no routes. */
export const defaultRouter: IncidentRouter = () => ({ instance: DEFAULT_CONNECTION, fields: {} });

/**
 * The connections file's routes (first match wins; README, "Several orgs"): a matching route's
 * `servicenow` overrides the org's own instance and its `fields` override incident.yaml's; without a
 * match, the org's instance and no extra fields.
 */
export function createIncidentRouter(connections: ConnectionsConfig): IncidentRouter {
  const instanceOfOrg = new Map(connections.orgs.map((o) => [o.name, o.servicenow]));
  const fallback = connections.orgs[0]?.servicenow ?? DEFAULT_CONNECTION;
  return (subject) => {
    const route = matchRoute(connections.routes, subject);
    return {
      instance: route?.servicenow ?? instanceOfOrg.get(subject.org) ?? fallback,
      fields: route?.fields ?? {},
    };
  };
}
