import type { Response } from 'express';
import { orgOf, tokenOf } from './api-gate.js';
import { apiErrorBody } from './genesys-errors.js';

/**
 * The one permission every trunk call trunkgate makes needs: `GET …/edges/trunks`, `GET …/trunks/{id}`
 * ("Requires ANY permissions: telephony:plugin:all", JS SDK `TelephonyProvidersEdgeApi.md`) and a
 * subscription to `v2.telephony.providers.edges.trunks.{id}`.
 */
export const TRUNK_READ_PERMISSION = 'telephony:plugin:all';

/** Does a granted permission (`*` matching any one part) cover a required one? */
export function permissionCovers(granted: string, required: string): boolean {
  const g = granted.split(':');
  const r = required.split(':');
  if (g.length === 1 && g[0] === '*') return true;
  return g.length === r.length && g.every((part, i) => part === '*' || part === r[i]);
}

/** The permissions of the client that holds the request's token, from its roles as they are now. */
function permissionsOf(res: Response): string[] {
  const client = orgOf(res).clients.get(tokenOf(res).clientId);
  return client ? client.roles.flatMap((role) => role.permissions) : [];
}

/**
 * Lets the request through when the client's roles grant at least one of `anyOf`; otherwise answers
 * 403 `missing.any.permissions` as the platform does and returns false.
 *
 * Message and code: the public Swagger's `x-inin-error-codes` (mirrored in gildas/gcloudcx `errors.go`),
 * and a real answer quoted in MyPureCloud/terraform-provider-genesyscloud#1133 ("Unable to perform the
 * requested action. You must have at least one of the following permissions assigned:
 * [journey:actionmap:view]"). `messageWithParams`/`messageParams` exist on `ErrorBody`; their content
 * for this error is unconfirmed (trunkgate reads the list from `message` first).
 */
export function requireAnyPermission(res: Response, anyOf: readonly string[]): boolean {
  const granted = permissionsOf(res);
  if (anyOf.some((required) => granted.some((g) => permissionCovers(g, required)))) return true;
  sendMissingPermissions(res, anyOf);
  return false;
}

// Every endpoint the simulator serves says "Requires ANY permissions", hence always missing.any.permissions;
// an "ALL" endpoint would answer missing.permissions, "You are missing the following permission(s): […]".
function sendMissingPermissions(res: Response, permissions: readonly string[]): void {
  const list = `[${permissions.join(', ')}]`;
  const template =
    'Unable to perform the requested action. You must have at least one of the following permissions assigned: {permissions}';
  const code = 'missing.any.permissions';
  res.status(403).json({
    ...apiErrorBody(res, { status: 403, code, message: template.replace('{permissions}', list) }),
    messageWithParams: template,
    messageParams: { permissions: list },
  });
}
