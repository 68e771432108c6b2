import { ValidationError, type ErrorDetail } from '../errors/app-error.js';
import type { TrunkSighting } from '../trunks/trunk-sighting.js';
import { normaliseTrunk, type TrunkObservation, type TrunkState } from '../trunks/trunk-state.js';

/** The body of `POST /v1/events` once it has passed its JSON Schema. */
export interface TrunkEventInput {
  eventId: string;
  trunkId: string;
  observedAt?: string;
  state?: TrunkState;
  sipCode?: number;
  errorText?: string;
  proxyAddress?: string;
  trunkName?: string;
  edge?: { id: string; name?: string };
  trunk?: Record<string, unknown>;
}

const FAILURE_ONLY = ['sipCode', 'errorText'] as const;

/**
 * Turns an ingested event into a sighting: either the state as given, or a Genesys Trunk object read
 * by the same normaliser as the monitor. Throws `validation_failed` for combinations the schema
 * cannot express.
 */
export function sightingFromEvent(input: TrunkEventInput, now: number): TrunkSighting {
  const problems: ErrorDetail[] = [];
  let observation: TrunkObservation;
  if (input.trunk !== undefined) {
    for (const field of ['state', ...FAILURE_ONLY, 'proxyAddress'] as const) {
      if (input[field] !== undefined) problems.push({ path: `/${field}`, message: 'is not allowed with `trunk`: the trunk object carries it' });
    }
    const wireId = input.trunk.id;
    if (wireId !== undefined && wireId !== input.trunkId) problems.push({ path: '/trunk/id', message: `must equal trunkId (${input.trunkId})` });
    observation = normaliseTrunk(input.trunk, input.trunkId);
  } else {
    const state = input.state!;
    if (state === 'registered' || state === 'unknown') {
      for (const field of FAILURE_ONLY) if (input[field] !== undefined) problems.push({ path: `/${field}`, message: `only applies to a rejected or dropped state (state is ${state})` });
    }
    observation = {
      trunkId: input.trunkId,
      name: null,
      state,
      sipCode: input.sipCode ?? null,
      errorText: input.errorText ?? null,
      proxyAddress: input.proxyAddress ?? null,
      edge: null,
      connected: null,
      registered: state === 'registered' ? true : state === 'unknown' ? null : false,
      stateTime: input.observedAt ?? null,
    };
  }
  if (problems.length > 0) throw new ValidationError('The event combines fields that do not go together', problems);
  return {
    ...observation,
    trunkId: input.trunkId,
    name: input.trunkName ?? observation.name,
    edge: input.edge ? { id: input.edge.id, name: input.edge.name ?? null } : observation.edge,
    source: 'event',
    observedAt: input.observedAt !== undefined ? Date.parse(input.observedAt) : now,
    eventId: input.eventId,
  };
}
