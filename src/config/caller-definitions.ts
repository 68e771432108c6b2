/**
 * The callers of /v1 as configuration states them (CALLERS_FILE, GATEWAY_API_KEYS, GATEWAY_BASIC_AUTH)
 * and the permission names they are granted: the vocabulary configuration validates. What a caller may
 * then do at run time is src/callers/.
 */

/**
 * What a caller of /v1 may do (README, "Callers and permissions"). The names are a contract, like
 * error codes: callers files and identity providers are written against them.
 */
export const PERMISSIONS = ['actions:run', 'events:write', 'status:read', 'audit:read', 'maintenance:write', 'console'] as const;

/** A fixed permission, or `actions:run:<action>` for one action. */
export type Permission = (typeof PERMISSIONS)[number] | `actions:run:${string}`;

export const ACTION_PERMISSION_PREFIX = 'actions:run:';
/** An action's name as mappings allow it (the file name under mappings/actions/). */
export const ACTION_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** True for every name PERMISSIONS lists and for `actions:run:<a valid action name>`. */
export function isPermission(value: string): value is Permission {
  if ((PERMISSIONS as readonly string[]).includes(value)) return true;
  return value.startsWith(ACTION_PERMISSION_PREFIX) && ACTION_NAME.test(value.slice(ACTION_PERMISSION_PREFIX.length));
}

/** How a configured caller proves who it is. */
export type CallerCredential = { kind: 'api-key'; key: string } | { kind: 'basic'; user: string; password: string };

/** Where a configured caller came from: GATEWAY_API_KEYS and GATEWAY_BASIC_AUTH callers have every permission. */
export type CallerSource = 'CALLERS_FILE' | 'GATEWAY_API_KEYS' | 'GATEWAY_BASIC_AUTH';

/** One caller of /v1 as configured (CALLERS_FILE, or one key or user of the environment variables). */
export interface CallerDefinition {
  /** Shown in logs, metrics and 403s: never the secret (`env-key-1`, `basic:<user>` for environment callers). */
  name: string;
  credential: CallerCredential;
  permissions: Permission[];
  /** Requests per minute; 0 = no limit even when GATEWAY_CALLER_RATE_LIMIT is set; unset = that default. */
  rateLimitPerMinute?: number;
  source: CallerSource;
}
