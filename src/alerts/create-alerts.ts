import type { Registry } from 'prom-client';
import type { Config } from '../config/config.js';
import type { Logger } from '../log/logger.js';
import type { Clock } from '../time/clock.js';
import type { AlertWebhook } from '../upstream/alert-webhook.js';
import { AlertMetrics } from './alert-metrics.js';
import { HelpdeskAlerts, type HelpdeskAlertsOptions, type HelpdeskAlertsStore } from './helpdesk-alerts.js';

export interface AlertsDeps {
  config: Pick<Config, 'alertAfterMs'>;
  stores: HelpdeskAlertsStore;
  clock: Clock;
  logger: Logger;
  registry: Registry;
  /** Null when ALERT_WEBHOOK_URL is unset: problems are only logged. */
  webhook: AlertWebhook | null;
  /** With several replicas: whether this one speaks for the ServiceNow credentials (the leader). */
  isLeader?: () => boolean;
  /** How often problems are checked (default from ALERT_AFTER_MS), and the claim owner (tests). */
  checkMs?: HelpdeskAlertsOptions['checkMs'];
  owner?: string;
}

/** The alerts feature: the helpdesk webhook fallback for when ServiceNow cannot take incidents. */
export function createAlerts(deps: AlertsDeps): HelpdeskAlerts {
  const { config, stores, clock, logger } = deps;
  return new HelpdeskAlerts({
    store: stores,
    clock,
    logger,
    metrics: new AlertMetrics(deps.registry),
    webhook: deps.webhook,
    alertAfterMs: config.alertAfterMs,
    decidesCredentials: deps.isLeader,
    checkMs: deps.checkMs,
    owner: deps.owner,
  });
}
