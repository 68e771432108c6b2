import { incidentKinds } from '../incidents/incident-store.js';
import { trunkSignals, trunkStates } from '../trunks/trunk-state.js';

/**
 * JSON Schemas of `POST /v1/events` and of the trunk and incident views; the route validates with
 * them and the OpenAPI document is built from them.
 */

export const TRUNK_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$';

const nullable = (schema: Record<string, unknown>) => ({ anyOf: [schema, { type: 'null' }] });
const dateTime = { type: 'string', format: 'date-time' };

export const trunkEventSchema = {
  title: 'TrunkEvent',
  description:
    'A registration event from another source (a log forwarder, the Edge, a script). Give either `state` (with `sipCode`, `errorText`…) or `trunk`, a Genesys Trunk object or trunk notification body whose health fields decide the state.',
  type: 'object',
  additionalProperties: false,
  required: ['eventId', 'trunkId'],
  properties: {
    eventId: { type: 'string', minLength: 1, maxLength: 200, description: 'Unique per event: an event resent with the same id is acknowledged and ignored.' },
    trunkId: { type: 'string', pattern: TRUNK_ID_PATTERN, description: 'The Genesys Cloud trunk id.' },
    observedAt: { ...dateTime, description: 'When the source observed it (RFC 3339); default: when trunkgate receives it. An event older than the last one known for the trunk is recorded but does not change its state.' },
    state: { type: 'string', enum: [...trunkStates] },
    sipCode: { type: 'integer', minimum: 100, maximum: 699, description: 'SIP status of the failing REGISTER answer (rejected/dropped only).' },
    errorText: { type: 'string', maxLength: 500, description: 'Error text (rejected/dropped only).' },
    proxyAddress: { type: 'string', maxLength: 255 },
    trunkName: { type: 'string', minLength: 1, maxLength: 200 },
    edge: {
      type: 'object',
      additionalProperties: false,
      required: ['id'],
      properties: { id: { type: 'string', minLength: 1, maxLength: 100 }, name: { type: 'string', maxLength: 200 } },
    },
    trunkBase: {
      type: 'object',
      description: "The trunk base (the carrier's settings the trunk instantiates on its Edge). With INCIDENT_GROUP_BY=trunkBase, failing trunks of one base share one incident; a trunk without one has its own.",
      additionalProperties: false,
      required: ['id'],
      properties: { id: { type: 'string', minLength: 1, maxLength: 100 }, name: { type: 'string', maxLength: 200 } },
    },
    trunk: { type: 'object', description: 'A Genesys `Trunk`, or a `v2.telephony.providers.edges.trunks.{id}` event body (connectedStatus, registersStatus, …).' },
  },
  oneOf: [{ required: ['state'] }, { required: ['trunk'] }],
} as const;

const incidentRefSchema = {
  type: 'object',
  required: ['number', 'sysId', 'state'],
  properties: {
    number: nullable({ type: 'string' }),
    sysId: nullable({ type: 'string' }),
    state: { type: 'string', enum: ['open', 'resolved'], description: "trunkgate's decision; `servicenowState` is what ServiceNow last confirmed" },
    servicenowState: nullable({ type: 'string' }),
  },
};

export const trunkViewSchema = {
  title: 'Trunk',
  type: 'object',
  required: ['id', 'name', 'state', 'healthy', 'since', 'sipCode', 'errorText', 'edge', 'proxyAddress', 'incident'],
  properties: {
    id: { type: 'string' },
    name: nullable({ type: 'string' }),
    state: {
      type: 'string',
      enum: [...trunkStates],
      description: 'registered (every REGISTER answered positively); connected (healthy on a trunk that does not use registration: judged on its connection and SIP OPTIONS); rejected; dropped; unknown',
    },
    healthy: { type: 'boolean', description: 'true for registered and connected' },
    signal: nullable({ type: 'string', enum: [...trunkSignals], description: 'what the state was judged on: REGISTER answers, SIP OPTIONS pings, or the connection alone' }),
    since: { ...dateTime, description: 'when the current state was first seen' },
    sipCode: nullable({ type: 'integer' }),
    errorText: nullable({ type: 'string' }),
    edge: nullable({ type: 'object', required: ['id', 'name'], properties: { id: { type: 'string' }, name: nullable({ type: 'string' }) } }),
    trunkBase: nullable({ type: 'object', required: ['id', 'name'], properties: { id: { type: 'string' }, name: nullable({ type: 'string' }) } }),
    proxyAddress: nullable({ type: 'string' }),
    incident: nullable({ ...incidentRefSchema, description: 'the open incident, if any' }),
    failingSince: nullable({ ...dateTime, description: 'start of the current failure episode' }),
    lastSeenAt: dateTime,
    source: { type: 'string', enum: ['poll', 'notification', 'event'] },
    goneAt: nullable({ ...dateTime, description: 'when Genesys Cloud stopped listing the trunk (deleted, or no longer EXTERNAL)' }),
  },
};

export const trunkListSchema = { title: 'TrunkList', type: 'object', required: ['trunks'], properties: { trunks: { type: 'array', items: trunkViewSchema } } };

export const trunkEventListSchema = {
  title: 'TrunkEventList',
  type: 'object',
  required: ['events'],
  properties: {
    events: {
      type: 'array',
      description: 'state changes, newest first',
      items: {
        type: 'object',
        required: ['at', 'state', 'previousState', 'sipCode', 'errorText', 'source'],
        properties: {
          at: dateTime,
          state: { type: 'string', enum: [...trunkStates] },
          previousState: nullable({ type: 'string', enum: [...trunkStates] }),
          signal: nullable({ type: 'string', enum: [...trunkSignals] }),
          sipCode: nullable({ type: 'integer' }),
          errorText: nullable({ type: 'string' }),
          proxyAddress: nullable({ type: 'string' }),
          source: { type: 'string', enum: ['poll', 'notification', 'event'] },
          eventId: nullable({ type: 'string' }),
        },
      },
    },
  },
};

export const incidentViewSchema = {
  title: 'Incident',
  type: 'object',
  required: ['correlationId', 'trunkId', 'trunkBaseId', 'trunkIds', 'kind', 'number', 'sysId', 'state', 'openedAt', 'resolvedAt', 'pendingDeliveries'],
  properties: {
    correlationId: { type: 'string', description: 'trunkgate:trunkbase:<trunkBaseId>, trunkgate:trunk:<trunkId> or trunkgate:credentials:genesys' },
    trunkId: nullable({ type: 'string', description: 'the first trunk concerned' }),
    trunkBaseId: nullable({ type: 'string', description: 'set on an incident about a trunk base (one carrier failing on one or more Edges)' }),
    trunkIds: { type: 'array', items: { type: 'string' }, description: 'every trunk the incident concerns: its first trunk, then the others in the order they joined it (trunks that joined together by id)' },
    kind: { type: 'string', enum: [...incidentKinds] },
    number: nullable({ type: 'string' }),
    sysId: nullable({ type: 'string' }),
    state: { type: 'string', enum: ['open', 'resolved'] },
    servicenowState: nullable({ type: 'string' }),
    openedAt: dateTime,
    resolvedAt: nullable(dateTime),
    reopenCount: { type: 'integer' },
    pendingDeliveries: { type: 'integer', description: 'ServiceNow deliveries still in the outbox' },
    lastDeliveryError: nullable({ type: 'string' }),
  },
};

export const incidentListSchema = { title: 'IncidentList', type: 'object', required: ['incidents'], properties: { incidents: { type: 'array', items: incidentViewSchema } } };

export const eventAcceptedSchema = {
  title: 'EventAccepted',
  type: 'object',
  required: ['eventId', 'outcome', 'duplicate', 'trunk'],
  properties: {
    eventId: { type: 'string' },
    outcome: { type: 'string', enum: ['applied', 'duplicate', 'stale'], description: 'applied; duplicate (this eventId was seen before: ignored); stale (older than the last known state: recorded, state unchanged)' },
    duplicate: { type: 'boolean' },
    trunk: nullable(trunkViewSchema),
  },
};
