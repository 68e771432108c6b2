import { incidentViewSchema } from '../incidents/incident-view-schema.js';
import { trunkStates } from '../trunks/trunk-state.js';
import { trunkEventViewSchema, trunkViewSchema } from '../trunks/trunk-view-schemas.js';
import { dateTime, nullable } from '../validation/schema-parts.js';
import type { SchemaType } from '../validation/schema-type.js';

/**
 * JSON Schemas of `POST /v1/events` and of the status responses; the route validates with them and
 * the OpenAPI document is built from them. The trunk and incident views' own schemas live with the
 * views (their types are computed from them).
 */

export const TRUNK_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$';

export const trunkEventSchema = {
  title: 'TrunkEvent',
  description:
    'A registration event from another source (a log forwarder, the Edge, a script). Give either `state` (with `sipCode`, `errorText`…) or `trunk`, a Genesys Trunk object or trunk notification body whose health fields decide the state.',
  type: 'object',
  additionalProperties: false,
  required: ['eventId', 'trunkId'],
  properties: {
    eventId: {
      type: 'string',
      minLength: 1,
      maxLength: 200,
      description: 'Unique per event: an event resent with the same id is acknowledged and ignored.',
    },
    trunkId: { type: 'string', pattern: TRUNK_ID_PATTERN, description: 'The Genesys Cloud trunk id.' },
    org: {
      type: 'string',
      pattern: '^[a-z][a-z0-9-]{0,31}$',
      description:
        'The Genesys org of the trunk (a name from the connections file); default: the first org. An org not configured is 404 not_found.',
    },
    observedAt: {
      ...dateTime,
      description:
        'When the source observed it (RFC 3339); default: when trunkgate receives it. An event older than the last one known for the trunk is recorded but does not change its state.',
    },
    state: { type: 'string', enum: [...trunkStates] },
    sipCode: {
      type: 'integer',
      minimum: 100,
      maximum: 699,
      description: 'SIP status of the failing REGISTER answer (rejected/dropped only).',
    },
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
      description:
        "The trunk base (the carrier's settings the trunk instantiates on its Edge). With INCIDENT_GROUP_BY=trunkBase, failing trunks of one base share one incident; a trunk without one has its own.",
      additionalProperties: false,
      required: ['id'],
      properties: { id: { type: 'string', minLength: 1, maxLength: 100 }, name: { type: 'string', maxLength: 200 } },
    },
    trunk: {
      type: 'object',
      description: 'A Genesys `Trunk`, or a `v2.telephony.providers.edges.trunks.{id}` event body (connectedStatus, registersStatus, …).',
    },
  },
  oneOf: [{ required: ['state'] }, { required: ['trunk'] }],
} as const;

export { trunkViewSchema, incidentViewSchema };

export const trunkListSchema = {
  title: 'TrunkList',
  type: 'object',
  required: ['trunks'],
  properties: { trunks: { type: 'array', items: trunkViewSchema } },
} as const;

export const trunkEventListSchema = {
  title: 'TrunkEventList',
  type: 'object',
  required: ['events'],
  properties: { events: { type: 'array', description: 'state changes, newest first', items: trunkEventViewSchema } },
} as const;

/** Response bodies of the status endpoints. */
export type TrunkList = SchemaType<typeof trunkListSchema>;
export type TrunkEventList = SchemaType<typeof trunkEventListSchema>;

export const incidentListSchema = {
  title: 'IncidentList',
  type: 'object',
  required: ['incidents'],
  properties: { incidents: { type: 'array', items: incidentViewSchema } },
} as const;
export type IncidentList = SchemaType<typeof incidentListSchema>;

export const eventAcceptedSchema = {
  title: 'EventAccepted',
  type: 'object',
  required: ['eventId', 'outcome', 'duplicate', 'trunk'],
  properties: {
    eventId: { type: 'string' },
    outcome: {
      type: 'string',
      enum: ['applied', 'duplicate', 'stale'],
      description:
        'applied; duplicate (this eventId was seen before: ignored); stale (older than the last known state: recorded, state unchanged)',
    },
    duplicate: { type: 'boolean' },
    trunk: nullable(trunkViewSchema),
  },
} as const;
export type EventAccepted = SchemaType<typeof eventAcceptedSchema>;
