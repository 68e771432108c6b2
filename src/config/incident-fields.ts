/**
 * Incident fields trunkgate sets itself: a value for one of them from configuration (incident.yaml, a
 * route of CONNECTIONS_FILE) would break deduplication (`correlation_id`) or the incident's lifecycle.
 */
export const RESERVED_INCIDENT_FIELDS: ReadonlySet<string> = new Set([
  'sys_id',
  'number',
  'correlation_id',
  'state',
  'incident_state',
  'active',
  'work_notes',
  'close_code',
  'close_notes',
  'short_description',
  'description',
]);

/** A ServiceNow field name as configuration may give it (`assignment_group`, `u_site`). */
export const INCIDENT_FIELD_NAME = '^[a-z][a-z0-9_]*$';
