import { AppError, evidenceOf } from '../errors/app-error.js';

/**
 * The permission every trunk call trunkgate makes needs (Telephony > Plugin > All): `GET …/edges/trunks`
 * and `GET …/edges/trunks/{id}` ("Requires ANY permissions: telephony:plugin:all", JS SDK
 * `TelephonyProvidersEdgeApi.md`), and a subscription to `v2.telephony.providers.edges.trunks.{id}`.
 */
export const TRUNK_PERMISSION = 'telephony:plugin:all';

/** What a Genesys 403 says about the permissions the OAuth client's roles lack. */
export interface PermissionRefusal {
  /** Genesys' error code, e.g. `missing.permissions`, `missing.any.permissions`; undefined when the body had none. */
  code?: string;
  /** The permissions named (`domain:entity:action`); empty when Genesys did not say which. */
  permissions: string[];
  /** True when any one of `permissions` would do (`missing.any.permissions`). */
  anyOf: boolean;
}

// A Genesys permission has three parts, `domain:entity:action` (e.g. telephony:plugin:all); `*` may stand for a part.
const PERMISSION = /^[A-Za-z][\w-]*:(?:[A-Za-z*][\w-]*|\*):(?:[A-Za-z*][\w-]*|\*)$/;

/** The permission-shaped words of a text such as "[telephony:plugin:all, routing:queue:view]". */
function permissionsIn(text: string): string[] {
  return text.split(/[\s,[\]"']+/).filter((word) => PERMISSION.test(word));
}

/**
 * Reads a Genesys 403 body. The message names the permissions in brackets ("… You are missing the
 * following permission(s): [telephony:plugin:all]" for `missing.permissions`, "… You must have at least
 * one of the following permissions assigned: […]" for `missing.any.permissions`: Swagger
 * `x-inin-error-codes`; MyPureCloud/terraform-provider-genesyscloud#1133 quotes a real one);
 * `messageParams` may carry them too (its content is unconfirmed). Anything missing is tolerated.
 */
export function permissionRefusalOf(body: unknown): PermissionRefusal {
  const b = (typeof body === 'object' && body !== null ? body : {}) as { code?: unknown; message?: unknown; messageParams?: unknown };
  const code = typeof b.code === 'string' ? b.code : undefined;
  const fromMessage = typeof b.message === 'string' ? permissionsIn(b.message.match(/\[([^\]]*)\]/)?.[1] ?? b.message) : [];
  const params =
    typeof b.messageParams === 'object' && b.messageParams !== null ? Object.values(b.messageParams as Record<string, unknown>) : [];
  const fromParams = params.flatMap((v) =>
    typeof v === 'string'
      ? permissionsIn(v)
      : Array.isArray(v)
        ? v.filter((p): p is string => typeof p === 'string' && PERMISSION.test(p))
        : [],
  );
  const permissions = [...new Set(fromMessage.length > 0 ? fromMessage : fromParams)];
  return { ...(code === undefined ? {} : { code }), permissions, anyOf: code === 'missing.any.permissions' };
}

/** "the permission telephony:plugin:all", "one of the permissions a, b", or "a permission (Genesys did not say which)". */
export function permissionWords(refusal: PermissionRefusal): string {
  const { permissions } = refusal;
  if (permissions.length === 0) return 'a permission (Genesys did not say which)';
  if (permissions.length === 1) return `the permission ${permissions[0]}`;
  return refusal.anyOf ? `one of the permissions ${permissions.join(', ')}` : `the permissions ${permissions.join(', ')}`;
}

/** "Genesys refused GET trunk: the OAuth client's role lacks the permission telephony:plugin:all (missing.any.permissions)". */
export function forbiddenMessage(operation: string, refusal: PermissionRefusal): string {
  return `Genesys refused ${operation}: the OAuth client's role lacks ${permissionWords(refusal)}${refusal.code ? ` (${refusal.code})` : ''}`;
}

/**
 * The refusal a trunkgate error carries when Genesys refused a call for a permission: a 403 that survived
 * the broker's re-auth, or an answer naming missing permissions. Undefined for any other error.
 */
export function refusalOfError(err: unknown): (PermissionRefusal & { operation: string; message: string }) | undefined {
  if (!(err instanceof AppError)) return undefined;
  const evidence = evidenceOf(err);
  const permissions = Array.isArray(evidence?.missingPermissions) ? evidence.missingPermissions : [];
  if (!evidence || evidence.upstream !== 'genesys' || (evidence.status !== 403 && permissions.length === 0)) return undefined;
  const code = evidence.permissionCode;
  return {
    ...(code === undefined ? {} : { code }),
    permissions,
    anyOf: code === 'missing.any.permissions',
    operation: evidence.operation,
    message: err.message,
  };
}
