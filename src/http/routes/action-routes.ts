import { Router } from 'express';
import type { ActionService } from '../../actions/action-service.js';

/** `GET /v1/actions` and `POST /v1/actions/:name` (the body has passed the payload gate). */
export function actionRoutes(actions: ActionService): Router {
  const router = Router();
  router.get('/actions', (_req, res) => {
    res.json({ actions: actions.list() });
  });
  router.post('/actions/:name', async (req, res) => {
    const controller = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) controller.abort();
    });
    const output = await actions.run(req.params.name, req.body, { requestId: String(res.locals.requestId), signal: controller.signal });
    res.json(output);
  });
  return router;
}
