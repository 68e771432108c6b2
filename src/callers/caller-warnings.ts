import type { GatewayAuthConfig } from '../config/gateway-auth.js';
import type { Logger } from '../log/logger.js';

const ACTION_PREFIX = 'actions:run:';

/**
 * Start-up warnings about callers that work but may not be what was meant: environment callers with
 * every permission, and `actions:run:<action>` naming no loaded action (a typo would only show as 403s).
 * Names only, never a credential.
 */
export function warnAboutCallers(auth: GatewayAuthConfig, loadedActions: string[], logger: Logger): void {
  const log = logger.child({ module: 'callers' });
  const everything = auth.callers.filter((c) => c.source !== 'CALLERS_FILE').map((c) => c.name);
  if (everything.length > 0) {
    log.warn(
      'callers from GATEWAY_API_KEYS / GATEWAY_BASIC_AUTH have every permission (actions, events, status, audit, maintenance, console); name them in CALLERS_FILE to give each only what it needs',
      {
        callers: everything,
      },
    );
  }
  const loaded = new Set(loadedActions);
  for (const caller of auth.callers) {
    for (const permission of caller.permissions) {
      if (permission.startsWith(ACTION_PREFIX) && !loaded.has(permission.slice(ACTION_PREFIX.length))) {
        log.warn(`caller "${caller.name}" has ${permission}, but no action of that name is loaded`, { caller: caller.name, permission });
      }
    }
  }
}
