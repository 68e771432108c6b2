import { ROUTE_PERMISSIONS, type RouteKey } from '../callers/permissions.js';
import { maintenanceListSchema, maintenanceRequestSchema, maintenanceViewSchema } from '../maintenance/maintenance-schemas.js';
import { jsonResponse as json, STORE_UNAVAILABLE, v1Errors } from './openapi-responses.js';

/** Path objects of the maintenance window endpoints (README, "Maintenance windows"). */
export function maintenancePaths(): Record<string, unknown> {
  const tags = ['maintenance'];
  const errors = (route: RouteKey, extra: Record<number, string> = {}) =>
    v1Errors(ROUTE_PERMISSIONS[route], { 503: STORE_UNAVAILABLE, ...extra });
  return {
    '/v1/maintenance': {
      get: {
        summary: 'Current and future maintenance windows, by start time',
        operationId: 'listMaintenanceWindows',
        tags,
        responses: { 200: json(maintenanceListSchema, 'the windows'), ...errors('GET /v1/maintenance') },
      },
      post: {
        summary:
          'Open a maintenance window: failures of the trunks it covers open no incident until it ends (their state is still shown, with `maintenance`)',
        description:
          'The scope is exactly one of `trunkId`, `trunkBaseId`, `edgeId` or `"all": true` (OpenAPI 3.0 cannot say one-of: the rule is checked by trunkgate and refused with validation_failed on `/scope`). A `startsAt` in the past (or none) means now; `endsAt` must be in the future, after `startsAt`, and at most 7 days after it. An incident already open stays open and gets a work note when the window starts and when it ends. A failure still present when the window ends counts as new from then (it opens an incident INCIDENT_OPEN_AFTER_MS later).',
        operationId: 'createMaintenanceWindow',
        tags,
        requestBody: { required: true, content: { 'application/json': { schema: maintenanceRequestSchema } } },
        responses: {
          201: json(maintenanceViewSchema, 'the window created; `createdBy` is the calling caller'),
          ...errors('POST /v1/maintenance', {
            400: 'invalid_json or validation_failed (details name each problem with a JSON Pointer: /scope, /endsAt, …)',
            404: 'not_found: scope.org is not a configured Genesys org',
            413: 'payload_too_large',
            415: 'unsupported_media_type',
          }),
        },
      },
    },
    '/v1/maintenance/{id}': {
      delete: {
        summary: 'End a current window now, or cancel a future one',
        operationId: 'endMaintenanceWindow',
        tags,
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' }, description: 'the window id' }],
        responses: {
          204: { description: 'ended (a failure still present counts as new from now)' },
          ...errors('DELETE /v1/maintenance/{id}', {
            400: 'validation_failed: a %-escape in the id does not decode',
            404: 'not_found: no current or future window with that id',
          }),
        },
      },
    },
  };
}
