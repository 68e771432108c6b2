/**
 * The health fields of a Genesys trunk, kept with the trunk's state so that the next event can be
 * judged as a patch on them. The trunk topic's model (`TrunkInstanceTopicTrunk`) carries only `id`,
 * `connectedStatus`, `optionsStatus`, `registersStatus` and `ipStatus`, and whether each event is a
 * full snapshot is unconfirmed (docs/genesys-cloud.md, "Notifications API"): a field an event leaves
 * out keeps its last known value.
 */
export const healthFields = [
  'connectedStatus',
  'optionsStatus',
  'registersStatus',
  'ipStatus',
  'registersEnabledStatus',
  'optionsEnabledStatus',
  'proxyAddressList',
] as const;
export type HealthField = (typeof healthFields)[number];

/** The health fields last known for a trunk (as Genesys sent them). */
export type TrunkHealth = Partial<Record<HealthField, unknown>>;

const obj = (v: unknown): Record<string, unknown> | null =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;

/**
 * The health fields of a full `Trunk` (a poll, a GET). Genesys leaves empty lists out of its answers,
 * so a missing `registersStatus` or `optionsStatus` there means "none" and is stored as `[]`.
 */
export function healthOfTrunk(wire: unknown): TrunkHealth {
  const t = obj(wire) ?? {};
  const health: TrunkHealth = { registersStatus: [], optionsStatus: [] };
  for (const field of healthFields) if (t[field] !== undefined) health[field] = t[field];
  return health;
}

/** `base` with every health field that `patch` carries replaced (null counts as carried). */
export function patchHealth(base: TrunkHealth | null, patch: unknown): TrunkHealth {
  const p = obj(patch) ?? {};
  const health: TrunkHealth = { ...(base ?? {}) };
  for (const field of healthFields) if (p[field] !== undefined) health[field] = p[field];
  return health;
}
