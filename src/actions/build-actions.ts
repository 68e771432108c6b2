import type { Clock } from '../time/clock.js';
import type { UpstreamApi } from '../upstream/upstream-api.js';
import { ActionRegistry } from './action-registry.js';
import { MappingAction } from './mapping-action.js';
import { loadMappings } from './mapping-loader.js';

/** Loads `<mappingsDir>/actions/*.yaml` and binds each action to its upstream; throws MappingError. */
export function buildActions(deps: { mappingsDir: string; defaultTimeoutMs: number; upstreams: { genesys: UpstreamApi; servicenow: UpstreamApi }; clock: Clock }): ActionRegistry {
  const mappings = loadMappings(deps.mappingsDir, { defaultTimeoutMs: deps.defaultTimeoutMs });
  return new ActionRegistry(mappings.map((m) => new MappingAction(m, { api: deps.upstreams[m.summary.upstream], clock: deps.clock })));
}
