import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Caller } from '../callers/caller.js';
import { actionPermission, ROUTE_PERMISSIONS, type Permission, type RouteKey } from '../callers/permissions.js';
import { ForbiddenError } from '../errors/app-error.js';

/** What a request needs: the missing permission, or undefined when the caller has what it takes. */
export type Requirement = (caller: Caller, req: Request) => Permission | undefined;

/** The caller authentication found (it runs first on every /v1 route). */
export function callerOf(res: Response): Caller {
  const caller = res.locals.caller as Caller | undefined;
  // A route mounted without authentication in front of it is a wiring bug, not the caller's fault.
  if (!caller) throw new Error('access control ran before caller authentication');
  return caller;
}

/** Needs exactly this permission (`actions:run` also covers each `actions:run:<action>`). */
export const needs =
  (permission: Permission): Requirement =>
  (caller) =>
    caller.permissions.allows(permission) ? undefined : permission;

/** Running the action named in the path needs `actions:run:<name>` (or `actions:run`). */
export const needsActionInPath: Requirement = (caller, req) => needs(actionPermission(String(req.params.name)))(caller, req);

/** Any `actions:run…` permission; a caller with none is told it lacks `actions:run`. */
export const needsAnyAction: Requirement = (caller) => (caller.permissions.runsAnyAction() ? undefined : 'actions:run');

function checkOf(requirement: Requirement | Permission): Requirement {
  return typeof requirement === 'function' ? requirement : needs(requirement);
}

function forbidden(caller: Caller, missing: Permission): ForbiddenError {
  return new ForbiddenError(`The caller "${caller.name}" lacks the permission ${missing}`, [{ message: `grant ${missing} to this caller to allow this`, permission: missing, caller: caller.name }]);
}

/** 403 `forbidden` naming the exact permission missing, unless the caller holds it. */
export function requirePermission(requirement: Requirement | Permission): RequestHandler {
  const check = checkOf(requirement);
  return (req: Request, res: Response, next: NextFunction): void => {
    const caller = callerOf(res);
    const missing = check(caller, req);
    if (missing !== undefined) throw forbidden(caller, missing);
    next();
  };
}

/** The guards of the /v1 routes. */
export class AccessControl {
  /** The route's guard: its permission (from ROUTE_PERMISSIONS, or a requirement). */
  allow(route: RouteKey | Requirement): RequestHandler<Record<string, string>> {
    const check = checkOf(typeof route === 'function' ? route : ROUTE_PERMISSIONS[route]);
    // Path parameters typed as plain strings, so the handlers after it keep a string `req.params.id`.
    return (req: Request<Record<string, string>>, res: Response, next: NextFunction): void => {
      const caller = callerOf(res);
      const missing = check(caller, req as unknown as Request);
      if (missing !== undefined) throw forbidden(caller, missing);
      next();
    };
  }
}
