import { incidentKinds } from './incident-store.js';
import { dateTime, nullable } from '../validation/schema-parts.js';
import type { SchemaType } from '../validation/schema-type.js';

/** JSON Schema of an incident as `GET /v1/incidents` shows it; `IncidentView` is computed from it. */
export const incidentViewSchema = {
  title: 'Incident',
  type: 'object',
  required: [
    'correlationId',
    'trunkId',
    'trunkBaseId',
    'trunkIds',
    'kind',
    'number',
    'sysId',
    'state',
    'servicenowState',
    'openedAt',
    'resolvedAt',
    'reopenCount',
    'pendingDeliveries',
    'lastDeliveryError',
    'org',
    'servicenowInstance',
  ],
  properties: {
    correlationId: {
      type: 'string',
      description:
        'trunkgate:trunkbase:<trunkBaseId>, trunkgate:trunk:<trunkId> or trunkgate:credentials:genesys; with a connections file trunkgate:<org>:trunkbase:<id>, trunkgate:<org>:trunk:<id> or trunkgate:<org>:credentials',
    },
    org: { type: 'string', description: 'the Genesys org it is about (`default` without a connections file)' },
    servicenowInstance: {
      type: 'string',
      description: 'the ServiceNow instance it is delivered to (`default` without a connections file)',
    },
    trunkId: nullable({ type: 'string', description: 'the first trunk concerned' }),
    trunkBaseId: nullable({
      type: 'string',
      description: 'set on an incident about a trunk base (one carrier failing on one or more Edges)',
    }),
    trunkIds: {
      type: 'array',
      items: { type: 'string' },
      description:
        'every trunk the incident concerns: its first trunk, then the others in the order they joined it (trunks that joined together by id)',
    },
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
} as const;

/** A `GET /v1/incidents` entry. */
export type IncidentView = SchemaType<typeof incidentViewSchema>;
