import { Router, type RequestHandler } from 'express';
import { NotFoundError } from '../../errors/app-error.js';
import { maintenanceView } from '../../maintenance/maintenance-input.js';
import { maintenanceRequestSchema, type MaintenanceList, type MaintenanceRequest } from '../../maintenance/maintenance-schemas.js';
import type { MaintenanceWindows } from '../../maintenance/maintenance-windows.js';
import type { Clock } from '../../time/clock.js';
import { bodyValidator } from '../../validation/compile.js';
import { createSchemaEngine } from '../../validation/schema-engine.js';
import { callerOf, type AccessControl } from '../access-control.js';

/**
 * `POST`, `GET /v1/maintenance` and `DELETE /v1/maintenance/{id}` (README, "Maintenance windows").
 * Reading them is `status:read` (what the trunk views already show); creating and ending them is
 * `maintenance:write`, so a read-only NOC login cannot silence incidents.
 */
export function maintenanceRoutes(deps: {
  windows: MaintenanceWindows;
  clock: Clock;
  access: AccessControl;
  body: RequestHandler;
}): Router {
  const { access, windows, clock } = deps;
  const router = Router();
  const validate = bodyValidator<MaintenanceRequest>(createSchemaEngine(), maintenanceRequestSchema, { what: 'maintenance window' });

  router.post('/maintenance', access.allow('POST /v1/maintenance'), deps.body, async (req, res) => {
    const window = await windows.create(validate(req.body), callerOf(res).name);
    res.status(201).json(maintenanceView(window, clock.now()));
  });
  router.get('/maintenance', access.allow('GET /v1/maintenance'), async (_req, res) => {
    const now = clock.now();
    res.json({ windows: (await windows.current()).map((w) => maintenanceView(w, now)) } satisfies MaintenanceList);
  });
  router.delete('/maintenance/:id', access.allow('DELETE /v1/maintenance/{id}'), async (req, res) => {
    if (!(await windows.end(req.params.id))) throw new NotFoundError(`No current or future maintenance window ${req.params.id}`);
    res.status(204).end();
  });
  return router;
}
