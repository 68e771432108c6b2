import type { Config } from '../config/config.js';
import { pass, type Check } from './check.js';

const counted = (n: number, one: string, names: string[]) =>
  `${n} ${one}${n === 1 ? '' : 's'}${names.length ? ` (${names.join(', ')})` : ''}`;

/**
 * connections: what CONNECTIONS_FILE declares (only listed when there is one; the file itself was
 * checked with the configuration). The probes that follow use the first org and its instance.
 */
export function connectionsCheck(config: Config): Check {
  const { orgs, instances, routes } = config.connections;
  return {
    name: 'connections',
    run: () =>
      Promise.resolve(
        pass(
          `CONNECTIONS_FILE: ${counted(
            orgs.length,
            'org',
            orgs.map((o) => o.name),
          )}, ${counted(
            instances.length,
            'instance',
            instances.map((i) => i.name),
          )}, ${counted(routes.length, 'route', [])}; the Genesys and ServiceNow checks below probe the first org (${orgs[0]!.name}) and its instance (${orgs[0]!.servicenow})`,
        ),
      ),
  };
}
