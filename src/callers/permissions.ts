import { ACTION_PERMISSION_PREFIX as ACTION_PREFIX, isPermission, PERMISSIONS, type Permission } from '../config/caller-definitions.js';

/** The permission that running this action needs. */
export function actionPermission(name: string): Permission {
  return `${ACTION_PREFIX}${name}`;
}

/** What one caller was granted. `actions:run` covers every `actions:run:<action>`. */
export class PermissionSet {
  private readonly granted: ReadonlySet<string>;

  constructor(permissions: Iterable<string>) {
    this.granted = new Set([...permissions].filter(isPermission));
  }

  /** Every permission there is: what GATEWAY_API_KEYS and GATEWAY_BASIC_AUTH callers have. */
  static all(): PermissionSet {
    return new PermissionSet(PERMISSIONS);
  }

  allows(permission: Permission): boolean {
    if (this.granted.has(permission)) return true;
    return permission.startsWith(ACTION_PREFIX) && this.granted.has('actions:run');
  }

  /** True when the caller may run at least one action (what GET /v1/actions asks). */
  runsAnyAction(): boolean {
    for (const p of this.granted) if (p.startsWith('actions:run')) return true;
    return false;
  }

  list(): Permission[] {
    return [...this.granted] as Permission[];
  }
}

/**
 * A JWT's permissions claim: a space-separated string (OAuth's `scope`, RFC 8693 section 4.2) or an
 * array of strings (Auth0's `permissions`, Entra ID's `roles`). Entries that are not trunkgate
 * permissions (`openid`, another API's scopes) are ignored, not refused: one token may serve several APIs.
 */
export function permissionsFromClaim(claim: unknown): PermissionSet {
  if (typeof claim === 'string') return new PermissionSet(claim.split(/\s+/));
  if (Array.isArray(claim)) return new PermissionSet(claim.filter((c): c is string => typeof c === 'string'));
  return new PermissionSet([]);
}

/**
 * What each /v1 route needs. Routes apply it with `access.allow(...)`, the OpenAPI document names it in
 * each operation's 403, and a new route is one line here. `GET /v1/actions` is the exception
 * written out in its route: any `actions:run…` permission, and it lists only what the caller may run.
 */
export const ROUTE_PERMISSIONS = {
  'GET /v1/actions': 'actions:run',
  'GET /v1/credentials': 'status:read',
  'GET /v1/trunks': 'status:read',
  'GET /v1/trunks/{id}': 'status:read',
  'GET /v1/trunks/{id}/events': 'status:read',
  'GET /v1/incidents': 'status:read',
  'POST /v1/events': 'events:write',
  'GET /v1/maintenance': 'status:read',
  'POST /v1/maintenance': 'maintenance:write',
  'DELETE /v1/maintenance/{id}': 'maintenance:write',
  'GET /v1/audit': 'audit:read',
} as const satisfies Record<string, Permission>;

export type RouteKey = keyof typeof ROUTE_PERMISSIONS;
