import type { Clock } from '../time/clock.js';
import type { UpstreamDescriptor } from '../upstream/upstream-descriptor.js';
import { ActionRegistry } from './action-registry.js';
import { MappingAction } from './mapping-action.js';
import { loadMappings } from './mapping-loader.js';

/** Loads `<mappingsDir>/actions/*.yaml` and binds each action to the client of the upstream it names; throws MappingError. */
export function buildActions(deps: {
  mappingsDir: string;
  defaultTimeoutMs: number;
  upstreams: ReadonlyArray<Pick<UpstreamDescriptor, 'name' | 'pathPrefix' | 'client'>>;
  clock: Clock;
}): ActionRegistry {
  const mappings = loadMappings(deps.mappingsDir, { defaultTimeoutMs: deps.defaultTimeoutMs, targets: deps.upstreams });
  const clients = new Map(deps.upstreams.map((u) => [u.name, u.client]));
  return new ActionRegistry(mappings.map((m) => new MappingAction(m, { api: clients.get(m.summary.upstream)!, clock: deps.clock })));
}
