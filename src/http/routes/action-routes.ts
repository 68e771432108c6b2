import { Router, type Request, type RequestHandler } from 'express';
import type { ActionService } from '../../actions/action-service.js';
import { actionPermission } from '../../callers/permissions.js';
import { callerOf, needsActionInPath, needsAnyAction, type AccessControl } from '../access-control.js';
import { NotFoundError } from '../../errors/app-error.js';
import type { ActionList } from '../schemas.js';

/**
 * `GET /v1/actions` and `POST /v1/actions/:name`. The list needs any `actions:run…` permission and shows
 * only the actions this caller may run: it is how a credential is checked while setting up an integration.
 */
export function actionRoutes(actions: ActionService, deps: { access: AccessControl; body: RequestHandler }): Router {
  const router = Router();
  mountActions(router, '/actions', () => actions, deps);
  return router;
}

/**
 * `GET /v1/orgs/:org/actions` and `POST /v1/orgs/:org/actions/:name`: the same actions run against one
 * Genesys org and its ServiceNow instance (README, "Several orgs"). An org that is not configured is
 * 404 not_found, before the body is read.
 */
export function orgActionRoutes(byOrg: ReadonlyMap<string, ActionService>, deps: { access: AccessControl; body: RequestHandler }): Router {
  const router = Router();
  mountActions(
    router,
    '/orgs/:org/actions',
    (req) => {
      const actions = byOrg.get(String(req.params.org));
      if (!actions) throw new NotFoundError(`No Genesys org named ${String(req.params.org)} is configured`);
      return actions;
    },
    deps,
  );
  return router;
}

function mountActions(
  router: Router,
  base: string,
  actionsOf: (req: Request) => ActionService,
  deps: { access: AccessControl; body: RequestHandler },
): void {
  router.get(base, deps.access.allow(needsAnyAction), (req, res) => {
    const { permissions } = callerOf(res);
    res.json({
      actions: actionsOf(req)
        .list()
        .filter((a) => permissions.allows(actionPermission(a.name))),
    } satisfies ActionList);
  });
  // Permission and rate limit before the body is read: a refused caller's payload is never parsed.
  const known: RequestHandler = (req, _res, next) => {
    actionsOf(req);
    next();
  };
  router.post(`${base}/:name`, deps.access.allow(needsActionInPath), known, deps.body, async (req, res) => {
    const controller = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) controller.abort();
    });
    const output = await actionsOf(req).run(String(req.params.name), req.body, {
      requestId: String(res.locals.requestId),
      signal: controller.signal,
    });
    res.json(output);
  });
}
