/**
 * What an audit entry records. Each kind belongs to one step of the decision trail (seen → decided →
 * sent → answered, or alerted); the step is kept beside the kind in the table for entries written
 * before kinds existed (migration 6 derives their kind from it).
 */
export const auditKindSteps = {
  /** A trunk's state changed (a sighting or an event). */
  trunk_state_changed: 'seen',
  /** A sighting or event that changed nothing: a duplicate event id, or older than the last one. */
  trunk_sighting_ignored: 'seen',
  /** A trunk Genesys Cloud no longer lists. */
  trunk_gone: 'seen',
  incident_opened: 'decided',
  incident_reopened: 'decided',
  incident_noted: 'decided',
  /** A change kept for the next work note (at most one note per INCIDENT_NOTE_INTERVAL_MS). */
  incident_note_held: 'decided',
  incident_resolved: 'decided',
  /** A failure that opened no incident because a maintenance window covers it. */
  incident_suppressed: 'decided',
  /** An incident decision written before kinds existed. */
  incident_decided: 'decided',
  /** A delivery to ServiceNow about to be sent (one entry per attempt). */
  delivery_attempt: 'sent',
  /** ServiceNow's answer to a delivery (the record's number and sys_id once known). */
  delivery_answered: 'answered',
  /** A delivery that failed and waits for its next attempt. */
  delivery_retry: 'answered',
  helpdesk_alert_sent: 'alerted',
  /** A helpdesk webhook message that could not be sent (the first failure of a run; it is tried again at every check). */
  helpdesk_alert_failed: 'alerted',
  token_rotated: 'decided',
  token_refresh_failed: 'decided',
  leadership_changed: 'decided',
  maintenance_started: 'decided',
  maintenance_ended: 'decided',
} as const;

export type AuditKind = keyof typeof auditKindSteps;
export const auditKinds = Object.keys(auditKindSteps) as AuditKind[];
