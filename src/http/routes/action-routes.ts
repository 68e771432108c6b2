import { Router, type RequestHandler } from 'express';
import type { ActionService } from '../../actions/action-service.js';
import { actionPermission } from '../../callers/permissions.js';
import { callerOf, needsActionInPath, needsAnyAction, type AccessControl } from '../access-control.js';
import type { ActionList } from '../schemas.js';

/**
 * `GET /v1/actions` and `POST /v1/actions/:name`. The list needs any `actions:run…` permission and shows
 * only the actions this caller may run: it is how a credential is checked while setting up an integration.
 */
export function actionRoutes(actions: ActionService, deps: { access: AccessControl; body: RequestHandler }): Router {
  const router = Router();
  router.get('/actions', deps.access.allow(needsAnyAction), (_req, res) => {
    const { permissions } = callerOf(res);
    res.json({ actions: actions.list().filter((a) => permissions.allows(actionPermission(a.name))) } satisfies ActionList);
  });
  // Permission and rate limit before the body is read: a refused caller's payload is never parsed.
  router.post('/actions/:name', deps.access.allow(needsActionInPath), deps.body, async (req, res) => {
    const controller = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) controller.abort();
    });
    const output = await actions.run(req.params.name, req.body, { requestId: String(res.locals.requestId), signal: controller.signal });
    res.json(output);
  });
  return router;
}
