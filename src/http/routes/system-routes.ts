import { Router } from 'express';
import type { Registry } from 'prom-client';
import type { ActionService } from '../../actions/action-service.js';
import { buildOpenApi, buildOpenApi31 } from '../openapi.js';
import type { ReadinessCheck } from '../../meta/readiness-check.js';
import { runReadiness } from '../readiness.js';
import type { HealthResponse, ReadyResponse } from '../schemas.js';

/** Open endpoints: liveness, readiness, metrics and the OpenAPI document (3.0.3, and 3.1 with the exact schemas). */
export function systemRoutes(deps: {
  registry: Registry;
  readiness: ReadinessCheck[];
  actions: ActionService;
  version: string;
  startedAt: number;
}): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({
      status: 'ok',
      uptimeSeconds: Math.round((Date.now() - deps.startedAt) / 1000),
      version: deps.version,
    } satisfies HealthResponse);
  });
  router.get('/readyz', async (_req, res) => {
    const result = await runReadiness(deps.readiness);
    res
      .status(result.ready ? 200 : 503)
      .json({ status: result.ready ? 'ready' : 'not_ready', checks: result.checks } satisfies ReadyResponse);
  });
  router.get('/metrics', async (_req, res) => {
    res.setHeader('Content-Type', deps.registry.contentType);
    res.send(await deps.registry.metrics());
  });
  router.get('/openapi.json', (_req, res) => {
    res.json(buildOpenApi({ version: deps.version, actions: deps.actions.list() }));
  });
  router.get('/openapi-3.1.json', (_req, res) => {
    res.json(buildOpenApi31({ version: deps.version, actions: deps.actions.list() }));
  });
  return router;
}
