import { asObject, oneOf, requireBoolean } from './control-input.js';
import { SimControlError } from './sim-control-error.js';
import type { GenesysTrunk, GenesysTrunkTopicBody } from './wire-types.js';

/** The health fields of a trunk topic event besides `id` (SDK `TrunkInstanceTopicTrunk`). */
export const trunkEventFields = ['connectedStatus', 'optionsStatus', 'registersStatus', 'ipStatus'] as const;
export type TrunkEventField = (typeof trunkEventFields)[number];

/** A trunk topic event body: `id` always, the health fields as the shaping leaves them. */
export type TrunkEventBody = Pick<GenesysTrunkTopicBody, 'id'> & Partial<Omit<GenesysTrunkTopicBody, 'id'>>;

/**
 * Whether trunk events are full snapshots (the default) or patches. Which one Genesys sends is
 * unconfirmed (every field of `TrunkInstanceTopicTrunk` is optional in the SDK), so a client must
 * cope with both: `enabled` makes events carry only the fields that changed since the trunk's
 * previous state (`changedOnly`, default true) and never the fields in `omit`.
 */
export interface PartialEventSettings {
  enabled: boolean;
  changedOnly: boolean;
  omit: TrunkEventField[];
}

export const fullEvents = (): PartialEventSettings => ({ enabled: false, changedOnly: true, omit: [] });

/** Checks `{enabled, changedOnly?, omit?}` from a control call. */
export function parsePartialEvents(input: unknown): PartialEventSettings {
  const o = asObject(input);
  const enabled = requireBoolean(o.enabled, 'enabled');
  const changedOnly = o.changedOnly === undefined ? true : requireBoolean(o.changedOnly, 'changedOnly');
  if (o.omit !== undefined && !Array.isArray(o.omit)) throw new SimControlError('invalid_request', 'omit must be an array of field names');
  const omit = ((o.omit as unknown[] | undefined) ?? []).map((f) => oneOf(f, trunkEventFields, 'omit[]'));
  return { enabled, changedOnly, omit: [...new Set(omit)] };
}

/** The full `v2.telephony.providers.edges.trunks.{id}` body of a trunk. */
export function trunkTopicBody(trunk: GenesysTrunk): GenesysTrunkTopicBody {
  return {
    id: trunk.id,
    connectedStatus: trunk.connectedStatus,
    optionsStatus: trunk.optionsStatus,
    registersStatus: trunk.registersStatus,
    ipStatus: trunk.ipStatus,
  };
}

/** Shapes trunk events per the settings, remembering each trunk's last state to tell what changed. */
export class TrunkEventShaper {
  settings: PartialEventSettings = fullEvents();
  private readonly last = new Map<string, GenesysTrunkTopicBody>();

  /** Records a trunk's state without an event (seeded or added trunks). */
  remember(trunk: GenesysTrunk): void {
    this.last.set(trunk.id, trunkTopicBody(trunk));
  }

  forget(trunkId: string): void {
    this.last.delete(trunkId);
  }

  /** The event body for a trunk that changed; its state becomes the one the next change is compared with. */
  next(trunk: GenesysTrunk): TrunkEventBody {
    const full = trunkTopicBody(trunk);
    const before = this.last.get(trunk.id);
    this.last.set(trunk.id, full);
    const { enabled, changedOnly, omit } = this.settings;
    if (!enabled) return full;
    const body: TrunkEventBody = { id: full.id };
    for (const field of trunkEventFields) {
      if (omit.includes(field)) continue;
      // A trunk with no state on record (never seen before) gets every field.
      if (changedOnly && before && JSON.stringify(before[field]) === JSON.stringify(full[field])) continue;
      (body as Record<string, unknown>)[field] = full[field];
    }
    return body;
  }
}
