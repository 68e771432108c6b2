import type { Clock } from '../time/clock.js';
import type { MappingTarget, UpstreamDescriptor } from '../upstream/upstream-descriptor.js';
import { ActionRegistry } from './action-registry.js';
import { MappingAction, type CompiledMapping } from './mapping-action.js';
import { loadMappings } from './mapping-loader.js';

type ActionUpstream = Pick<UpstreamDescriptor, 'name' | 'pathPrefix' | 'client'>;

/** Loads `<mappingsDir>/actions/*.yaml` and binds each action to the client of the upstream it names; throws MappingError. */
export function buildActions(deps: {
  mappingsDir: string;
  defaultTimeoutMs: number;
  upstreams: readonly ActionUpstream[];
  clock: Clock;
}): ActionRegistry {
  const mappings = loadMappings(deps.mappingsDir, { defaultTimeoutMs: deps.defaultTimeoutMs, targets: deps.upstreams });
  return bindActions(mappings, deps.upstreams, deps.clock);
}

/** Checked mappings for `targets` (loaded once), to bind to each Genesys org's upstreams with `bindActions`; throws MappingError. */
export function loadActionMappings(deps: {
  mappingsDir: string;
  defaultTimeoutMs: number;
  targets: readonly MappingTarget[];
}): CompiledMapping[] {
  return loadMappings(deps.mappingsDir, { defaultTimeoutMs: deps.defaultTimeoutMs, targets: deps.targets });
}

/** The actions of `mappings`, each calling the client of the upstream it names among `upstreams`. */
export function bindActions(mappings: readonly CompiledMapping[], upstreams: readonly ActionUpstream[], clock: Clock): ActionRegistry {
  const clients = new Map(upstreams.map((u) => [u.name, u.client]));
  return new ActionRegistry(mappings.map((m) => new MappingAction(m, { api: clients.get(m.summary.upstream)!, clock })));
}
