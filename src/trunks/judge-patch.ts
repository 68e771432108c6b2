import { patchHealth, type TrunkHealth } from './trunk-health.js';
import type { TrunkPatch, TrunkSighting } from './trunk-sighting.js';
import { normaliseTrunk } from './trunk-state.js';

/**
 * A trunk event judged against the trunk's last known health fields: what the event leaves out keeps
 * its value, and the merged fields are kept for the next one. Without any earlier knowledge, a
 * missing `registersStatus` means "not told" rather than "registration not used".
 */
export function judgePatch(p: TrunkPatch, lastHealth: TrunkHealth | null): TrunkSighting {
  const health = patchHealth(lastHealth, p.body);
  const observation = normaliseTrunk(
    { ...health, id: p.trunkId, name: p.body.name, edge: p.body.edge, trunkBase: p.body.trunkBase },
    { fallbackId: p.trunkId, partial: true },
  );
  return {
    ...observation,
    trunkId: p.trunkId,
    name: p.name ?? observation.name,
    edge: p.edge ?? observation.edge,
    trunkBase: p.trunkBase ?? observation.trunkBase,
    source: p.source,
    observedAt: p.observedAt,
    ...(p.eventId !== undefined ? { eventId: p.eventId } : {}),
    health,
  };
}
