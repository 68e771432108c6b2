import type { Router } from 'express';
import type { AlertRow } from '../alerts/alert-store.js';
import { loadConsoleAssets } from '../console/console-assets.js';
import { ConsoleEvents } from '../console/console-events.js';
import { consoleRoutes } from '../console/console-routes.js';
import { buildSnapshot } from '../console/console-snapshot.js';
import type { CredentialsEntry } from '../credentials/token-types.js';
import type { AccessControl } from '../http/access-control.js';
import type { CallerAuthenticator } from '../http/caller-auth.js';
import type { StatusQueries } from '../incidents/status-views.js';
import type { Logger } from '../log/logger.js';

/** The operator console: its routes, and its event streams (closed by the app before the server). */
export function createConsole(deps: {
  auth: CallerAuthenticator;
  access: AccessControl;
  status: StatusQueries;
  credentials: () => CredentialsEntry[];
  alerts: { listAlerts(): Promise<AlertRow[]> };
  orgs: readonly string[];
  logger: Logger;
}): { routes: Router; events: ConsoleEvents } {
  const events = new ConsoleEvents({
    build: () => buildSnapshot({ status: deps.status, credentials: deps.credentials, alerts: deps.alerts, orgs: deps.orgs }),
    logger: deps.logger,
  });
  const routes = consoleRoutes({
    authenticate: deps.auth.middleware({ browser: true }),
    access: deps.access,
    assets: loadConsoleAssets(),
    events,
    orgs: deps.orgs,
  });
  return { routes, events };
}
