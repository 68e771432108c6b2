import { randomUUID } from 'node:crypto';
import type { AuditStore } from '../audit/audit-store.js';
import { formatDuration, formatTime, problemText } from '../incidents/incident-facts.js';
import { trunkStateWords } from '../incidents/incident-notes.js';
import type { IncidentStore } from '../incidents/incident-store.js';
import type { OutboxStore, StuckDelivery } from '../incidents/outbox-store.js';
import type { Logger } from '../log/logger.js';
import type { Clock, Timer } from '../time/clock.js';
import type { TrunkStore } from '../trunks/trunk-store.js';
import type { AlertWebhook } from '../upstream/alert-webhook.js';
import type { AlertMetrics } from './alert-metrics.js';
import type { AlertPurpose, AlertRow, AlertStore } from './alert-store.js';

/** What the helpdesk alerts read and write. */
export type HelpdeskAlertsStore = AlertStore &
  Pick<OutboxStore, 'listStuckDeliveries'> &
  Pick<IncidentStore, 'getIncident' | 'getLatestIncident'> &
  Pick<TrunkStore, 'getTrunk'> &
  Pick<AuditStore, 'addAudit'>;

export interface HelpdeskAlertsOptions {
  store: HelpdeskAlertsStore;
  clock: Clock;
  logger: Logger;
  metrics: AlertMetrics;
  /** Null when ALERT_WEBHOOK_URL is unset: problems are only logged. */
  webhook: AlertWebhook | null;
  /** A delivery failing and waiting longer than this is a problem worth an alert (ALERT_AFTER_MS). */
  alertAfterMs: number;
  checkMs?: number;
  /** Identifies this replica's claims on alert messages (default: random). */
  owner?: string;
  /**
   * Whether this replica raises and clears the ServiceNow-credentials alert (default: always). It rests
   * on this replica's own broker, so with several replicas only the leader speaks for it.
   */
  decidesCredentials?: () => boolean;
  /** How long a claim on a message lasts if this replica dies while sending it (default 60 s). */
  sendLeaseMs?: number;
}

const SN_CREDENTIALS_KEY = 'credentials:servicenow';
/** The alert key of an instance's credentials: the one instance of a single-instance deployment keeps the old key. */
const credentialsKey = (instance: string | undefined) =>
  instance === undefined ? SN_CREDENTIALS_KEY : `${SN_CREDENTIALS_KEY}:${instance}`;
const isCredentialsKey = (key: string) => key === SN_CREDENTIALS_KEY || key.startsWith(`${SN_CREDENTIALS_KEY}:`);
const DELIVERY_PREFIX = 'delivery:';

/**
 * The helpdesk fallback (docs/design.md, 'Helpdesk alerts'): when ServiceNow cannot take an incident for a while, or its
 * credentials fail, one webhook message per problem, and one when it is over. Problems live in the
 * store, so a restart neither repeats an alert nor forgets to say it recovered.
 */
export class HelpdeskAlerts {
  private readonly log: Logger;
  private readonly checkMs: number;
  private readonly owner: string;
  /** Failing ServiceNow credentials, by alert key (one per instance), with the broker's message. */
  private readonly servicenowCredentials = new Map<string, { instance?: string; message: string }>();
  /** Messages whose webhook call failed, by type and alert keys, with how many times in a row. */
  private readonly failing = new Map<string, number>();
  private timer?: Timer;
  private running?: Promise<void>;

  constructor(private readonly o: HelpdeskAlertsOptions) {
    this.log = o.logger.child({ module: 'incidents/alerts' });
    this.checkMs = o.checkMs ?? Math.min(5_000, Math.max(250, o.alertAfterMs / 4));
    this.owner = o.owner ?? `alerts-${randomUUID()}`;
  }

  /** `instance`: the ServiceNow instance (connection name) when there are several. */
  servicenowCredentialsFailed(message: string, instance?: string): Promise<void> {
    this.servicenowCredentials.set(credentialsKey(instance), { instance, message });
    return this.check();
  }

  servicenowCredentialsRecovered(instance?: string): Promise<void> {
    this.servicenowCredentials.delete(credentialsKey(instance));
    return this.check();
  }

  start(): void {
    if (this.timer) return;
    const loop = () => {
      this.timer = this.o.clock.setTimer(this.checkMs, () => {
        void this.check().finally(() => {
          if (this.timer) loop();
        });
      });
    };
    loop();
  }

  async stop(): Promise<void> {
    this.timer?.cancel();
    this.timer = undefined;
    await this.running;
  }

  /** Compares the problems now with those already raised; sends what is new and what is over. */
  check(): Promise<void> {
    // One check at a time: a second caller waits for the running one, then checks again.
    const next = (this.running ?? Promise.resolve()).then(() => this.runCheck());
    this.running = next.finally(() => {
      if (this.running === next) this.running = undefined;
    });
    return next;
  }

  private async runCheck(): Promise<void> {
    try {
      const now = this.o.clock.now();
      const problems = new Map<string, string>();
      for (const stuck of await this.o.store.listStuckDeliveries(now - this.o.alertAfterMs)) {
        problems.set(`${DELIVERY_PREFIX}${stuck.correlationId}`, await this.describe(stuck, now));
      }
      const decides = this.o.decidesCredentials?.() ?? true;
      if (decides) {
        for (const [key, { instance, message }] of this.servicenowCredentials) {
          const which = instance === undefined ? 'ServiceNow' : `ServiceNow instance ${instance}`;
          const settings = instance === undefined ? 'SERVICENOW_* settings' : `its entry in CONNECTIONS_FILE`;
          problems.set(
            key,
            `trunkgate cannot authenticate to ${which} (${message}). Incidents wait in trunkgate until the ServiceNow credentials (${settings}, the integration user's password and roles) are fixed.`,
          );
        }
      }
      const raised = new Map((await this.o.store.listAlerts()).map((r) => [r.key, r]));
      for (const [key, summary] of problems) {
        if (!raised.has(key)) await this.o.store.raiseAlert({ key, summary, raisedAt: now, raiseSentAt: null, clearedAt: null });
      }
      for (const r of raised.values()) {
        if (isCredentialsKey(r.key) && !decides) continue;
        if (r.clearedAt === null && !problems.has(r.key)) await this.o.store.updateAlert(r.key, { clearedAt: now });
      }
      await this.notify(now);
    } catch (err) {
      this.log.warn('helpdesk alert check failed; trying again at the next check', { err });
    }
  }

  private async notify(now: number): Promise<void> {
    const rows = await this.o.store.listAlerts();
    // Over before anyone was told: nothing to take back (unless a replica is telling right now).
    for (const r of await this.claimed(rows, 'forget', now)) await this.o.store.deleteAlert(r.key);
    const fresh = await this.claimed(rows, 'raise', now);
    if (fresh.length > 0) {
      const text = [
        `⚠️ trunkgate: ServiceNow cannot take incidents right now (${fresh.length} problem${fresh.length > 1 ? 's' : ''}). Nothing is lost: trunkgate delivers them when ServiceNow is back.`,
        ...fresh.map((r) => `• ${r.summary}`),
      ].join('\n');
      if (await this.send(text, 'raised', fresh)) {
        for (const r of fresh) await this.o.store.updateAlert(r.key, { raiseSentAt: now });
      }
      await this.o.store.releaseAlerts(
        fresh.map((r) => r.key),
        this.owner,
      );
    }
    const recovered = await this.claimed(rows, 'recover', now);
    if (recovered.length > 0) {
      const lines = await Promise.all(recovered.map((r) => this.recoveredLine(r)));
      const text = [`✅ trunkgate: resolved (${recovered.length}):`, ...lines.map((l) => `• ${l}`)].join('\n');
      if (await this.send(text, 'recovered', recovered)) {
        for (const r of recovered) await this.o.store.deleteAlert(r.key);
      } else {
        await this.o.store.releaseAlerts(
          recovered.map((r) => r.key),
          this.owner,
        );
      }
    }
  }

  /**
   * The rows that need `purpose` and that this replica now holds the claim on. Other replicas check
   * the same problems at the same time; only the holder sends, so each message goes out once.
   */
  private async claimed(rows: AlertRow[], purpose: AlertPurpose, now: number): Promise<AlertRow[]> {
    const candidates = rows.filter((r) =>
      purpose === 'raise'
        ? r.raiseSentAt === null && r.clearedAt === null
        : purpose === 'recover'
          ? r.raiseSentAt !== null && r.clearedAt !== null
          : r.raiseSentAt === null && r.clearedAt !== null,
    );
    if (candidates.length === 0) return [];
    const keys = new Set(
      await this.o.store.claimAlerts({
        keys: candidates.map((r) => r.key),
        purpose,
        owner: this.owner,
        now,
        leaseMs: this.o.sendLeaseMs ?? 60_000,
      }),
    );
    return candidates.filter((r) => keys.has(r.key));
  }

  /**
   * Sends one message and records it in the audit trail: `helpdesk_alert_sent`, or `helpdesk_alert_failed`
   * for the first failure of a run (the message is tried again at every check, seconds apart: one entry
   * per failed attempt would bury the rest of the trail; the entry when it is finally sent counts them).
   */
  private async send(text: string, type: 'raised' | 'recovered', rows: AlertRow[]): Promise<boolean> {
    const keys = rows.map((r) => r.key);
    if (!this.o.webhook) {
      this.log.warn(`helpdesk alert (${type}) not sent: ALERT_WEBHOOK_URL is not set`, { keys, text });
      return true;
    }
    const run = `${type}:${keys.join(',')}`;
    const audit = (kind: 'helpdesk_alert_sent' | 'helpdesk_alert_failed', message: string, data: Record<string, unknown>) =>
      this.o.store.addAudit({ at: this.o.clock.now(), subject: keys.join(','), incidentId: null, kind, message, data: { type, ...data } });
    try {
      await this.o.webhook.send(text);
      this.o.metrics.alert(type, 'sent');
      this.log.info(`helpdesk alert sent (${type})`, { keys });
      const failures = this.failing.get(run);
      this.failing.delete(run);
      await audit('helpdesk_alert_sent', text, failures === undefined ? {} : { failedAttempts: failures });
      return true;
    } catch (err) {
      this.o.metrics.alert(type, 'failed');
      this.log.error('helpdesk alert webhook failed; retrying at the next check', { err, keys });
      const failures = (this.failing.get(run) ?? 0) + 1;
      this.failing.set(run, failures);
      if (failures === 1) {
        const reason = err instanceof Error ? err.message : String(err);
        await audit('helpdesk_alert_failed', `helpdesk webhook failed (${reason}); retrying at every check: ${text}`, {
          error: reason,
        }).catch((auditErr: unknown) => this.log.warn('could not record the failed alert in the audit trail', { err: auditErr }));
      }
      return false;
    }
  }

  private async describe(stuck: StuckDelivery, now: number): Promise<string> {
    const incident = await this.o.store.getIncident(stuck.incidentId);
    const what =
      stuck.operation === 'create' || (stuck.operation === 'reopen' && !incident?.sysId)
        ? 'not in ServiceNow yet'
        : `updates to ${incident?.number ?? 'its incident'} not delivered`;
    // Never attempted: the relay is holding it back (ServiceNow asked it to wait) or cannot run.
    const tries =
      stuck.attempts === 0
        ? 'not attempted yet'
        : `${stuck.attempts} attempt${stuck.attempts > 1 ? 's' : ''}; last error: ${stuck.lastError ?? 'none'}`;
    const waiting = `${what}, waiting since ${formatTime(stuck.waitingSince)} (${formatDuration(now - stuck.waitingSince)}, ${tries})`;
    if (stuck.trunkId === null) return `${problemText(stuck.kind)} — ${waiting}`;
    const trunk = await this.o.store.getTrunk(stuck.trunkId);
    const name = trunk?.name ?? stuck.trunkId;
    return `SIP trunk ${name} (id ${stuck.trunkId}): ${trunk ? trunkStateWords(trunk) : problemText(stuck.kind)} — ${waiting}`;
  }

  private async recoveredLine(r: AlertRow): Promise<string> {
    if (r.key === SN_CREDENTIALS_KEY) return "ServiceNow accepts trunkgate's credentials again.";
    if (isCredentialsKey(r.key))
      return `ServiceNow instance ${r.key.slice(SN_CREDENTIALS_KEY.length + 1)} accepts trunkgate's credentials again.`;
    const correlationId = r.key.slice(DELIVERY_PREFIX.length);
    const incident = await this.o.store.getLatestIncident(correlationId);
    const headline = r.summary.split(' — ')[0];
    return `${headline}: delivered to ServiceNow${incident?.number ? ` (${incident.number})` : ''}.`;
  }
}
