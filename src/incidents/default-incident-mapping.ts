/**
 * The built-in incident mapping: the same text as the repository's mappings/incident.yaml (a unit
 * test keeps them equal). Used when MAPPINGS_DIR has no incident.yaml.
 */
export const defaultIncidentMappingYaml = `# The ServiceNow incidents trunkgate opens for trunk registration problems and Genesys credential
# failures. Loaded and checked at start-up; a broken file stops trunkgate with the problem named.
#
#   \${NAME}            an environment variable (start-up fails when it is unset)
#   \${NAME:-default}   the same, with a default ("\${NAME:-}" = leave the field out when unset)
#   {{placeholder}}    filled per incident: subjectName, problem, correlationId, trunkName, trunkId,
#                      edge, edgeName, edgeId, proxyAddress, sipCode, errorText, sipAnswer, state,
#                      firstSeen, rotationHint, advice, openAfter, resolveAfter, failureMessage,
#                      healthySince, lasted, trunkBase, trunkBaseName, trunkBaseId, signal,
#                      affectedTrunks, affectedCount, subjectDetails
#
# An incident is about a trunk base (one carrier's settings, on every Edge that has it: the default,
# INCIDENT_GROUP_BY=trunkBase) or about one trunk. subjectName, problem and subjectDetails say which;
# trunkName, edge, proxyAddress and sipAnswer describe its first failing trunk; affectedTrunks lists
# every trunk concerned, one per line.
#
# trunkgate sets correlation_id, state, work_notes, close_code and close_notes itself.

# Sent with every new incident; empty values are left out.
fields:
  urgency: \${INCIDENT_URGENCY:-2}
  impact: \${INCIDENT_IMPACT:-2}
  category: \${INCIDENT_CATEGORY:-network}
  subcategory: \${INCIDENT_SUBCATEGORY:-}
  assignment_group: \${INCIDENT_ASSIGNMENT_GROUP:-}
  caller_id: \${INCIDENT_CALLER_ID:-}
  cmdb_ci: \${INCIDENT_CMDB_CI:-}
  contact_type: monitoring

kinds:
  registration_rejected:
    short_description: "{{subjectName}}: {{problem}} ({{sipAnswer}})"
    description: |
      Genesys Cloud BYOC {{subjectName}}: {{problem}}. The carrier answered with an error.

      {{subjectDetails}}
      Judged on: {{signal}}
      First seen: {{firstSeen}}
      Genesys token: {{rotationHint}}

      What to do: {{advice}}

      Opened by trunkgate ({{correlationId}}) after the failure lasted {{openAfter}}. trunkgate adds work notes while it lasts and resolves this incident once every trunk concerned has stayed healthy for {{resolveAfter}}.
  registration_dropped:
    short_description: "{{subjectName}}: {{problem}} ({{sipAnswer}})"
    description: |
      Genesys Cloud BYOC {{subjectName}}: {{problem}}: {{errorText}}.

      {{subjectDetails}}
      Judged on: {{signal}}
      First seen: {{firstSeen}}
      Genesys token: {{rotationHint}}

      What to do: {{advice}}

      Opened by trunkgate ({{correlationId}}) after the failure lasted {{openAfter}}. trunkgate adds work notes while it lasts and resolves this incident once every trunk concerned has stayed healthy for {{resolveAfter}}.
  credentials_failed:
    short_description: "trunkgate cannot get or use a Genesys Cloud token: trunk monitoring is blind"
    fields:
      urgency: \${INCIDENT_CREDENTIALS_URGENCY:-1}
    description: |
      trunkgate cannot get or use a Genesys Cloud OAuth token: {{failureMessage}}
      While this lasts trunkgate cannot see SIP trunk registrations, and Data Actions that call Genesys Cloud fail.

      First seen: {{firstSeen}}

      What to do: {{advice}}

      Opened by trunkgate ({{correlationId}}) after the failure lasted {{openAfter}}; resolved automatically once tokens have worked for {{resolveAfter}}.

resolve:
  close_code: \${INCIDENT_CLOSE_CODE:-Solution provided}
  close_notes: "{{subjectName}} has been healthy since {{healthySince}}; the problem ({{problem}}, first seen {{firstSeen}}) lasted {{lasted}}. Resolved automatically by trunkgate after {{resolveAfter}} of health."
  # When a failing trunk is no longer listed by Genesys Cloud (two complete polls in a row).
  gone_notes: "{{subjectName}} is no longer listed by Genesys Cloud (deleted, or no longer an EXTERNAL trunk), so trunkgate stops watching it; the problem ({{problem}}, first seen {{firstSeen}}) ends with it. Resolved automatically by trunkgate."
`;
