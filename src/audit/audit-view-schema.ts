import { dateTime, nullable } from '../validation/schema-parts.js';
import type { SchemaType } from '../validation/schema-type.js';
import { auditKinds } from './audit-kinds.js';

/** JSON Schema of one audit entry as `GET /v1/audit` shows it (and each line of its exports); `AuditEntryView` is computed from it. */
export const auditEntrySchema = {
  title: 'AuditEntry',
  type: 'object',
  required: ['id', 'at', 'subject', 'kind', 'org', 'message', 'details'],
  properties: {
    id: { type: 'string', description: 'the entry id (ids grow with time; opaque, compare only for equality)' },
    at: { ...dateTime, description: 'when it was recorded' },
    subject: {
      type: 'string',
      description:
        'what it is about: a trunk (trunkgate:trunk:<id>), a trunk base or credentials incident (its correlation id), credentials (trunkgate:credentials:…), the leader lease (trunkgate:leader:<lease>), helpdesk alert keys',
    },
    kind: { type: 'string', enum: [...auditKinds], description: 'what happened (README, "Audit trail")' },
    org: nullable({ type: 'string', description: 'the Genesys org it is about, when it is about one' }),
    message: { type: 'string', description: 'what happened, in words' },
    details: {
      type: 'object',
      description:
        'what the kind records (a SIP code, an attempt, a delivery outcome…). An entry about an incident also has incidentId, correlationId, number and sysId (the last two null until ServiceNow gave them).',
    },
  },
} as const;
export type AuditEntryView = SchemaType<typeof auditEntrySchema>;

export const auditListSchema = {
  title: 'AuditList',
  type: 'object',
  required: ['entries', 'nextCursor'],
  properties: {
    entries: { type: 'array', description: 'newest first', items: auditEntrySchema },
    nextCursor: nullable({
      type: 'string',
      description: 'pass it as `cursor` (with the same filters) for the next, older page; null on the last page',
    }),
  },
} as const;
export type AuditList = SchemaType<typeof auditListSchema>;
