import { dateTime } from '../validation/schema-parts.js';
import type { SchemaType } from '../validation/schema-type.js';

/**
 * JSON Schemas of the maintenance endpoints and the types computed from them: the routes validate with
 * them and the OpenAPI document shows them. OpenAPI 3.0 has no oneOf, so a scope is one object with
 * optional properties, and the one-of rule is said in words (and checked in maintenance-input.ts).
 */

const SCOPE_RULE =
  'Exactly one of `trunkId`, `trunkBaseId`, `edgeId` or `"all": true`. `org` (a Genesys org from the connections file) is the org of the trunk, trunk base or Edge (default: the first org); with `"all": true` it limits the window to that org (default: every org).';

const genesysId = { type: 'string', minLength: 1, maxLength: 200 } as const;

export const maintenanceScopeSchema = {
  title: 'MaintenanceScope',
  description: SCOPE_RULE,
  type: 'object',
  additionalProperties: false,
  properties: {
    trunkId: { ...genesysId, description: 'one trunk (Genesys Cloud trunk id)' },
    trunkBaseId: { ...genesysId, description: 'every trunk of a trunk base (one carrier, on every Edge)' },
    edgeId: { ...genesysId, description: 'every trunk on one Edge' },
    all: { type: 'boolean', enum: [true], description: 'every trunk' },
    org: { type: 'string', pattern: '^[a-z][a-z0-9-]{0,31}$', description: 'the Genesys org (see the scope rule)' },
  },
} as const;

export const maintenanceRequestSchema = {
  title: 'MaintenanceWindowRequest',
  type: 'object',
  additionalProperties: false,
  required: ['scope', 'endsAt', 'reason'],
  properties: {
    scope: maintenanceScopeSchema,
    startsAt: { ...dateTime, description: 'RFC 3339; default, or any time in the past: now' },
    endsAt: { ...dateTime, description: 'RFC 3339; in the future, after startsAt, and at most 7 days after it' },
    reason: { type: 'string', minLength: 1, maxLength: 500, description: 'why (the carrier ticket, the change number)' },
  },
} as const;

export type MaintenanceRequest = SchemaType<typeof maintenanceRequestSchema>;

export const maintenanceViewSchema = {
  title: 'MaintenanceWindow',
  type: 'object',
  required: ['id', 'scope', 'startsAt', 'endsAt', 'reason', 'createdBy', 'active'],
  properties: {
    id: { type: 'string' },
    scope: { ...maintenanceScopeSchema, description: `${SCOPE_RULE} Shown with its org, except for an "all" window of every org.` },
    startsAt: dateTime,
    endsAt: dateTime,
    reason: { type: 'string' },
    createdBy: { type: 'string', description: 'the name of the caller that created it' },
    active: { type: 'boolean', description: 'in force now (started and not ended)' },
  },
} as const;

export type MaintenanceView = SchemaType<typeof maintenanceViewSchema>;

export const maintenanceListSchema = {
  type: 'object',
  required: ['windows'],
  properties: {
    windows: { type: 'array', items: maintenanceViewSchema, description: 'current and future windows, by start time' },
  },
} as const;

export type MaintenanceList = SchemaType<typeof maintenanceListSchema>;
