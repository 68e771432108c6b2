import { auditKinds } from '../audit/audit-kinds.js';
import { auditListSchema } from '../audit/audit-view-schema.js';
import { ROUTE_PERMISSIONS } from '../callers/permissions.js';
import { AUDIT_PAGE, EXPORT_MAX_LIMIT } from './routes/audit-routes.js';
import { EXPORT_MEDIA_TYPES } from './audit-export.js';
import { STORE_UNAVAILABLE, v1Errors } from './openapi-responses.js';

const query = (name: string, schema: Record<string, unknown>, description: string) => ({
  name,
  in: 'query',
  required: false,
  schema,
  description,
});

/** The path object of `GET /v1/audit` (README, "Audit trail"). */
export function auditPaths(): Record<string, unknown> {
  return {
    '/v1/audit': {
      get: {
        summary: 'The audit trail of every decision, newest first: a page of JSON, or an NDJSON or CSV export of the whole selection',
        description:
          'Pages of at most 1000 entries (JSON), continued with `cursor` = the `nextCursor` of the page before (with the same filters). With `Accept: application/x-ndjson` or `format=ndjson|csv` the whole selection is streamed, one entry per line, read from the store in batches; `limit` then caps the number of lines.',
        operationId: 'listAudit',
        tags: ['audit'],
        parameters: [
          query(
            'subject',
            { type: 'string', minLength: 1, maxLength: 300 },
            'entries about this subject: a full subject (trunkgate:trunk:<id>, a correlation id, trunkgate:credentials:genesys…), or a bare trunk or trunk base id, which also matches its subject forms',
          ),
          query('since', { type: 'string', format: 'date-time' }, 'entries recorded at or after this time (RFC 3339)'),
          query('until', { type: 'string', format: 'date-time' }, 'entries recorded at or before this time (RFC 3339)'),
          query(
            'limit',
            { type: 'integer', minimum: 1, maximum: EXPORT_MAX_LIMIT },
            `entries per page: default ${AUDIT_PAGE.default}, at most ${AUDIT_PAGE.max} (JSON); an export's lines, default all`,
          ),
          query('cursor', { type: 'string' }, "the previous page's nextCursor, unchanged"),
          query('org', { type: 'string' }, 'entries about this Genesys org (an org not configured is 404 not_found)'),
          query('kind', { type: 'string', enum: [...auditKinds] }, 'entries of this kind'),
          query(
            'incident',
            { type: 'string', minLength: 1, maxLength: 300 },
            "entries about the incident with this ServiceNow number or sys_id (or trunkgate's incident id)",
          ),
          query(
            'format',
            { type: 'string', enum: ['json', 'ndjson', 'csv'] },
            'json (default), or an export: ndjson or csv (wins over Accept)',
          ),
        ],
        responses: {
          200: {
            description:
              'a page of entries (JSON), or the export (NDJSON: one entry as JSON per line; CSV: a header line, then id,at,subject,kind,org,message,details with details as JSON)',
            content: {
              'application/json': { schema: auditListSchema },
              [EXPORT_MEDIA_TYPES.ndjson.split(';')[0]!]: {
                schema: { type: 'string', description: 'one AuditEntry (as in the JSON page) per line' },
              },
              [EXPORT_MEDIA_TYPES.csv.split(';')[0]!]: { schema: { type: 'string', description: 'RFC 4180 CSV with a header line' } },
            },
          },
          ...v1Errors(ROUTE_PERMISSIONS['GET /v1/audit'], {
            400: 'validation_failed: each bad parameter named in details (limit, cursor, since, until, kind, format, subject, incident)',
            404: 'not_found: no Genesys org of that name is configured',
            503: STORE_UNAVAILABLE,
          }),
        },
      },
    },
  };
}
