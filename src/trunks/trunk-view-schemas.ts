import { dateTime, nullable } from '../validation/schema-parts.js';
import type { SchemaType } from '../validation/schema-type.js';
import { trunkSignals, trunkStates } from './trunk-state.js';

/**
 * JSON Schemas of a trunk as `GET /v1/trunks` shows it and of its state changes, and the types
 * computed from them: the OpenAPI document and the code that builds the views share one definition.
 */

const sightingSource = { type: 'string', enum: ['poll', 'notification', 'event'] } as const;

const incidentRefSchema = {
  type: 'object',
  required: ['number', 'sysId', 'state', 'servicenowState'],
  properties: {
    number: nullable({ type: 'string' }),
    sysId: nullable({ type: 'string' }),
    state: {
      type: 'string',
      enum: ['open', 'resolved'],
      description: "trunkgate's decision; `servicenowState` is what ServiceNow last confirmed",
    },
    servicenowState: nullable({ type: 'string' }),
  },
} as const;

export const trunkViewSchema = {
  title: 'Trunk',
  type: 'object',
  required: [
    'id',
    'name',
    'state',
    'healthy',
    'signal',
    'since',
    'sipCode',
    'errorText',
    'edge',
    'trunkBase',
    'proxyAddress',
    'incident',
    'failingSince',
    'lastSeenAt',
    'source',
    'goneAt',
    'org',
  ],
  properties: {
    id: { type: 'string' },
    org: { type: 'string', description: 'the Genesys org the trunk belongs to (`default` without a connections file)' },
    name: nullable({ type: 'string' }),
    state: {
      type: 'string',
      enum: [...trunkStates],
      description:
        'registered (every REGISTER answered positively); connected (healthy on a trunk that does not use registration: judged on its connection and SIP OPTIONS); rejected; dropped; unknown',
    },
    healthy: { type: 'boolean', description: 'true for registered and connected' },
    signal: nullable({
      type: 'string',
      enum: [...trunkSignals],
      description: 'what the state was judged on: REGISTER answers, SIP OPTIONS pings, or the connection alone',
    }),
    since: { ...dateTime, description: 'when the current state was first seen' },
    sipCode: nullable({ type: 'integer' }),
    errorText: nullable({ type: 'string' }),
    edge: nullable({
      type: 'object',
      required: ['id', 'name'],
      properties: { id: { type: 'string' }, name: nullable({ type: 'string' }) },
    }),
    trunkBase: nullable({
      type: 'object',
      required: ['id', 'name'],
      properties: { id: { type: 'string' }, name: nullable({ type: 'string' }) },
    }),
    proxyAddress: nullable({ type: 'string' }),
    incident: nullable({ ...incidentRefSchema, description: 'the open incident, if any' }),
    failingSince: nullable({ ...dateTime, description: 'start of the current failure episode' }),
    lastSeenAt: dateTime,
    source: sightingSource,
    goneAt: nullable({ ...dateTime, description: 'when Genesys Cloud stopped listing the trunk (deleted, or no longer EXTERNAL)' }),
    maintenance: {
      type: 'object',
      required: ['id', 'endsAt'],
      description:
        'present only while a maintenance window covers the trunk: its failures open no incident until `endsAt` (the state stays the real one)',
      properties: { id: { type: 'string' }, endsAt: dateTime },
    },
  },
} as const;

/** A `GET /v1/trunks` entry (camelCase, ISO times). */
export type TrunkView = SchemaType<typeof trunkViewSchema>;

export const trunkEventViewSchema = {
  type: 'object',
  required: ['at', 'state', 'previousState', 'signal', 'sipCode', 'errorText', 'proxyAddress', 'source', 'eventId'],
  properties: {
    at: dateTime,
    state: { type: 'string', enum: [...trunkStates] },
    previousState: nullable({ type: 'string', enum: [...trunkStates] }),
    signal: nullable({ type: 'string', enum: [...trunkSignals] }),
    sipCode: nullable({ type: 'integer' }),
    errorText: nullable({ type: 'string' }),
    proxyAddress: nullable({ type: 'string' }),
    source: sightingSource,
    eventId: nullable({ type: 'string' }),
  },
} as const;

/** A `GET /v1/trunks/{id}/events` entry. */
export type TrunkEventView = SchemaType<typeof trunkEventViewSchema>;
