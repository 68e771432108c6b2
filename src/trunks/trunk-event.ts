import { ValidationError, type ErrorDetail } from '../errors/app-error.js';
import type { TrunkPatch, TrunkSighting } from './trunk-sighting.js';
import type { TrunkState } from './trunk-state.js';

/** The body of `POST /v1/events` once it has passed its JSON Schema. */
export interface TrunkEventInput {
  eventId: string;
  trunkId: string;
  /** The Genesys org of the trunk (default: the first org). */
  org?: string;
  observedAt?: string;
  state?: TrunkState;
  sipCode?: number;
  errorText?: string;
  proxyAddress?: string;
  trunkName?: string;
  edge?: { id: string; name?: string };
  trunkBase?: { id: string; name?: string };
  trunk?: Record<string, unknown>;
}

const FAILURE_ONLY = ['sipCode', 'errorText'] as const;

const SIGNAL_OF_STATE = { registered: 'registration', connected: 'connection' } as const;

/**
 * Turns an ingested event into a sighting: either the state as given, or a Genesys Trunk object (or
 * trunk notification body), judged by the monitor's normaliser as a patch on the trunk's last known
 * health. Throws `validation_failed` for combinations the schema cannot express.
 */
export function sightingFromEvent(input: TrunkEventInput, now: number): TrunkSighting | TrunkPatch {
  const problems: ErrorDetail[] = [];
  const observedAt = input.observedAt !== undefined ? Date.parse(input.observedAt) : now;
  const edge = input.edge ? { id: input.edge.id, name: input.edge.name ?? null } : undefined;
  const trunkBase = input.trunkBase ? { id: input.trunkBase.id, name: input.trunkBase.name ?? null } : undefined;
  if (input.trunk !== undefined) {
    for (const field of ['state', ...FAILURE_ONLY, 'proxyAddress'] as const) {
      if (input[field] !== undefined)
        problems.push({ path: `/${field}`, message: 'is not allowed with `trunk`: the trunk object carries it' });
    }
    const wireId = input.trunk.id;
    if (wireId !== undefined && wireId !== input.trunkId)
      problems.push({ path: '/trunk/id', message: `must equal trunkId (${input.trunkId})` });
    if (problems.length > 0) throw new ValidationError('The event combines fields that do not go together', problems);
    return {
      trunkId: input.trunkId,
      body: input.trunk,
      source: 'event',
      observedAt,
      eventId: input.eventId,
      ...(input.org !== undefined ? { org: input.org } : {}),
      ...(input.trunkName !== undefined ? { name: input.trunkName } : {}),
      ...(edge ? { edge } : {}),
      ...(trunkBase ? { trunkBase } : {}),
    };
  }
  const state = input.state!;
  if (state === 'registered' || state === 'connected' || state === 'unknown') {
    for (const field of FAILURE_ONLY)
      if (input[field] !== undefined)
        problems.push({ path: `/${field}`, message: `only applies to a rejected or dropped state (state is ${state})` });
  }
  if (problems.length > 0) throw new ValidationError('The event combines fields that do not go together', problems);
  return {
    trunkId: input.trunkId,
    name: input.trunkName ?? null,
    state,
    // The sender says what it saw, not how: a failure is taken as a REGISTER answer, as before `connected` existed.
    signal: state === 'unknown' ? null : state === 'rejected' || state === 'dropped' ? 'registration' : SIGNAL_OF_STATE[state],
    sipCode: input.sipCode ?? null,
    errorText: input.errorText ?? null,
    proxyAddress: input.proxyAddress ?? null,
    edge: edge ?? null,
    trunkBase: trunkBase ?? null,
    connected: null,
    registered: state === 'registered' ? true : state === 'rejected' || state === 'dropped' ? false : null,
    stateTime: input.observedAt ?? null,
    source: 'event',
    observedAt,
    eventId: input.eventId,
    ...(input.org !== undefined ? { org: input.org } : {}),
  };
}
