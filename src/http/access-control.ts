import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Caller } from '../callers/caller.js';
import type { CallerRateLimiter, RateDecision } from '../callers/caller-rate-limiter.js';
import { actionPermission, ROUTE_PERMISSIONS, type RouteKey } from '../callers/permissions.js';
import { ACTION_NAME, type Permission } from '../config/caller-definitions.js';
import { ForbiddenError, RateLimitedError } from '../errors/app-error.js';

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

/**
 * Running the action named in the path needs `actions:run:<name>` (or `actions:run`). A name no action
 * can have (`../x`, upper case) could only be reached with `actions:run` (and is then unknown_action), so
 * that is what a refusal names: never a permission that cannot be granted.
 */
export const needsActionInPath: Requirement = (caller, req) => {
  const name = String(req.params.name);
  return needs(ACTION_NAME.test(name) ? actionPermission(name) : 'actions:run')(caller, req);
};

/** Any `actions:run…` permission; a caller with none is told it lacks `actions:run`. */
export const needsAnyAction: Requirement = (caller) => (caller.permissions.runsAnyAction() ? undefined : 'actions:run');

function checkOf(requirement: Requirement | Permission): Requirement {
  return typeof requirement === 'function' ? requirement : needs(requirement);
}

function forbidden(caller: Caller, missing: Permission): ForbiddenError {
  return new ForbiddenError(`The caller "${caller.name}" lacks the permission ${missing}`, [
    { message: `grant ${missing} to this caller to allow this`, permission: missing, caller: caller.name },
  ]);
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

/**
 * Permission first, then the caller's rate limit: a refused (401/403) request is never counted, and a
 * request over the limit is refused before it reaches an upstream budget or the store.
 */
export class AccessControl {
  constructor(private readonly deps: { limiter: CallerRateLimiter; defaultPerMinute?: number }) {}

  /** The route's guard: its permission (from ROUTE_PERMISSIONS, or a requirement), then the rate limit. */
  allow(route: RouteKey | Requirement): RequestHandler<Record<string, string>> {
    const check = checkOf(typeof route === 'function' ? route : ROUTE_PERMISSIONS[route]);
    // Path parameters typed as plain strings, so the handlers after it keep a string `req.params.id`.
    return (req: Request<Record<string, string>>, res: Response, next: NextFunction): void | Promise<void> => {
      const caller = callerOf(res);
      const missing = check(caller, req as unknown as Request);
      if (missing !== undefined) throw forbidden(caller, missing);
      return this.rateLimit(caller, next);
    };
  }

  private rateLimit(caller: Caller, next: NextFunction): void | Promise<void> {
    const perMinute = caller.rateLimitPerMinute ?? this.deps.defaultPerMinute;
    if (!perMinute) return next();
    // JWT subjects and configured names live apart: a token whose `sub` is "noc" is not the caller noc.
    const key = `${caller.method === 'jwt' ? 'jwt' : 'caller'}:${caller.name}`;
    const decision = this.deps.limiter.take(key, perMinute);
    if (decision instanceof Promise) return decision.then((d) => settle(d, caller, perMinute, next));
    settle(decision, caller, perMinute, next);
  }
}

function settle(decision: RateDecision, caller: Caller, perMinute: number, next: NextFunction): void {
  if (decision.allowed) return next();
  const seconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
  next(
    new RateLimitedError(
      `The caller "${caller.name}" is over its limit of ${perMinute} requests per minute; retry after ${seconds} s`,
      seconds,
      [{ message: 'per-caller rate limit', caller: caller.name, limitPerMinute: perMinute }],
    ),
  );
}
