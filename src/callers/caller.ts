import type { PermissionSet } from './permissions.js';

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
