import type { Permission, PermissionSet } from './permissions.js';

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

/** Who called, as far as the gateway knows; never holds the credential itself. */
export interface Caller {
  method: 'basic' | 'api-key' | 'jwt';
  /** The configured name, or for a JWT its `sub` (else `client_id`, else `azp`). */
  name: string;
  /** The name as a metric label: configured names are few, JWT subjects are not, so those are all `jwt`. */
  label: string;
  permissions: PermissionSet;
  /** The caller's own limit (per minute; 0 = none), overriding GATEWAY_CALLER_RATE_LIMIT. */
  rateLimitPerMinute?: number;
}
