import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { UpstreamError, UpstreamUnavailableError } from '../../src/errors/app-error.js';
import { AlertMetrics } from '../../src/alerts/alert-metrics.js';
import { HelpdeskAlerts } from '../../src/alerts/helpdesk-alerts.js';
import { incidentHarness } from '../support/incident-harness.js';

const outage = () =>
  new UpstreamUnavailableError('servicenow cannot be reached (ECONNREFUSED)', { upstream: 'servicenow', operation: 'GET incident' });

type Harness = ReturnType<typeof incidentHarness>;
let h: Harness;
afterEach(async () => h?.stop());

function start(): Harness {
  h = incidentHarness({ settings: { openAfterMs: 0 }, alertAfterMs: 120_000 });
  h.start();
  h.alerts.start();
  return h;
}

describe('HelpdeskAlerts', () => {
  it('alerts once when a delivery has failed for longer than ALERT_AFTER_MS, and once when it is delivered', async () => {
    start();
    h.servicenow.failNext(outage(), undefined, 1_000);
    await h.see('rejected');
    await h.clock.advance(110_000);
    expect(h.webhook.messages).toEqual([]);
    await h.clock.advance(20_000);
    expect(h.webhook.messages).toHaveLength(1);
    expect(h.webhook.messages[0]).toMatch(/^⚠️ trunkgate: ServiceNow cannot take incidents right now \(1 problem\)/);
    expect(h.webhook.messages[0]).toContain(
      '• SIP trunk Lumen SIP - NYC (id t-nyc): registration rejected (SIP 403 Forbidden) at proxy sip-a.lumen.example.net:5061 — not in ServiceNow yet, waiting since 2026-01-01 12:00:00 UTC',
    );
    expect(h.webhook.messages[0]).toContain('last error: servicenow cannot be reached (ECONNREFUSED)');
    await h.clock.advance(600_000);
    expect(h.webhook.messages).toHaveLength(1);
    h.servicenow.clearFailures();
    await h.clock.advance(120_000);
    expect(h.servicenow.records.size).toBe(1);
    const number = [...h.servicenow.records.values()][0]!.number;
    expect(h.webhook.messages).toHaveLength(2);
    expect(h.webhook.messages[1]).toBe(
      `✅ trunkgate: resolved (1):\n• SIP trunk Lumen SIP - NYC (id t-nyc): registration rejected (SIP 403 Forbidden) at proxy sip-a.lumen.example.net:5061: delivered to ServiceNow (${number}).`,
    );
    await h.clock.advance(600_000);
    expect(h.webhook.messages).toHaveLength(2);
  });

  it('also alerts for incidents queued while deliveries are paused by a long Retry-After (never attempted, still not in ServiceNow)', async () => {
    start();
    const rateLimited = new UpstreamError('servicenow is rate limiting', {
      upstream: 'servicenow',
      operation: 'GET incident',
      status: 429,
      retryAfterMs: 3_600_000,
    });
    h.servicenow.failNext(rateLimited);
    await h.see('rejected');
    await h.settle();
    // A second trunk fails while the relay waits out ServiceNow's Retry-After: its create is never tried.
    await h.see('dropped', { trunkId: 't-sfo', name: 'Lumen SIP - SFO' });
    await h.clock.advance(130_000);
    expect(h.servicenow.records.size).toBe(0);
    expect(h.webhook.messages).toHaveLength(1);
    expect(h.webhook.messages[0]).toMatch(/\(2 problems\)/);
    expect(h.webhook.messages[0]).toContain('SIP trunk Lumen SIP - SFO (id t-sfo): registration dropped');
    expect(h.webhook.messages[0]).toContain('not attempted yet');
  });

  it('alerts at once when ServiceNow credentials fail, and once when they work again', async () => {
    start();
    await h.alerts.servicenowCredentialsFailed("ServiceNow refused the integration user's Basic credentials (401)");
    await h.alerts.servicenowCredentialsFailed("ServiceNow refused the integration user's Basic credentials (401)");
    expect(h.webhook.messages).toHaveLength(1);
    expect(h.webhook.messages[0]).toContain(
      "trunkgate cannot authenticate to ServiceNow (ServiceNow refused the integration user's Basic credentials (401))",
    );
    await h.alerts.servicenowCredentialsRecovered();
    await h.alerts.servicenowCredentialsRecovered();
    expect(h.webhook.messages).toEqual([
      expect.any(String),
      "✅ trunkgate: resolved (1):\n• ServiceNow accepts trunkgate's credentials again.",
    ]);
  });

  it('retries a webhook that failed at the next check, and still sends it only once', async () => {
    start();
    h.webhook.failWith = new Error('webhook down');
    await h.alerts.servicenowCredentialsFailed('401');
    expect(h.webhook.messages).toEqual([]);
    h.webhook.failWith = null;
    await h.clock.advance(1_000);
    await h.clock.advance(5_000);
    expect(h.webhook.messages).toHaveLength(1);
    expect(await h.registry.metrics()).toContain('trunkgate_helpdesk_alerts_total{type="raised",outcome="failed"} 1');
  });

  it('records a failing webhook once per run of failures in the audit trail, and the send with how many failed before', async () => {
    start();
    h.webhook.failWith = new Error('webhook down');
    await h.alerts.servicenowCredentialsFailed('401');
    for (let i = 0; i < 3; i += 1) await h.clock.advance(5_000);
    const trail = async () =>
      (await h.store.listAudit({ limit: 20 }))
        .filter((a) => a.kind.startsWith('helpdesk_alert'))
        .map((a) => [a.kind, a.subject, a.data])
        .reverse();
    expect(await trail()).toEqual([['helpdesk_alert_failed', 'credentials:servicenow', { type: 'raised', error: 'webhook down' }]]);
    expect((await h.store.listAudit({ kind: 'helpdesk_alert_failed', limit: 1 }))[0]!.message).toMatch(
      /^helpdesk webhook failed \(webhook down\); retrying at every check: ⚠️ trunkgate/,
    );
    h.webhook.failWith = null;
    await h.clock.advance(5_000);
    expect(h.webhook.messages).toHaveLength(1);
    const failures = h.webhook.messages.length === 1 ? await h.registry.metrics() : '';
    const failedCount = Number(/trunkgate_helpdesk_alerts_total\{type="raised",outcome="failed"\} (\d+)/.exec(failures)![1]);
    expect(failedCount).toBeGreaterThanOrEqual(4);
    expect((await trail()).map(([kind, , data]) => [kind, data])).toEqual([
      ['helpdesk_alert_failed', { type: 'raised', error: 'webhook down' }],
      ['helpdesk_alert_sent', { type: 'raised', failedAttempts: failedCount }],
    ]);
  });

  it('does not repeat an alert after a restart (problems are kept in the store)', async () => {
    start();
    await h.alerts.servicenowCredentialsFailed('401');
    const again = new HelpdeskAlerts({
      store: h.store,
      clock: h.clock,
      logger: h.log.logger,
      metrics: new AlertMetrics(new Registry()),
      webhook: h.webhook,
      alertAfterMs: 120_000,
    });
    await again.servicenowCredentialsFailed('401');
    expect(h.webhook.messages).toHaveLength(1);
  });

  it('replicas checking the same store at the same moment send each message once (the first to claim it sends)', async () => {
    h = incidentHarness({ settings: { openAfterMs: 0 }, alertAfterMs: 0 });
    h.start();
    // A webhook that answers on a later turn, so the checks of both replicas are in flight together.
    const slow = {
      messages: [] as string[],
      send: async (text: string) => void (await new Promise((r) => setImmediate(r)), slow.messages.push(text)),
    };
    const replicas = [1, 2, 3].map(
      () =>
        new HelpdeskAlerts({
          store: h.store,
          clock: h.clock,
          logger: h.log.logger,
          metrics: new AlertMetrics(new Registry()),
          webhook: slow,
          alertAfterMs: 0,
        }),
    );
    h.servicenow.failNext(outage(), undefined, 1_000);
    await h.see('rejected');
    await h.clock.advance(1_000);
    await Promise.all(replicas.map((r) => r.check()));
    await Promise.all(replicas.map((r) => r.check()));
    expect(slow.messages).toHaveLength(1);
    expect(slow.messages[0]).toMatch(/^⚠️ trunkgate: ServiceNow cannot take incidents right now \(1 problem\)/);
    h.servicenow.clearFailures();
    await h.clock.advance(10_000);
    expect(await h.store.outboxDepth()).toBe(0);
    await Promise.all(replicas.map((r) => r.check()));
    await Promise.all(replicas.map((r) => r.check()));
    expect(slow.messages).toHaveLength(2);
    expect(slow.messages[1]).toMatch(/^✅ trunkgate: resolved \(1\)/);
    expect(await h.store.listAlerts()).toEqual([]);
  });

  it('a replica whose webhook call failed gives the message back: another replica sends it', async () => {
    h = incidentHarness({ settings: { openAfterMs: 0 }, alertAfterMs: 0 });
    const failing = { send: async () => Promise.reject(new Error('webhook unreachable from this replica')) };
    const a = new HelpdeskAlerts({
      store: h.store,
      clock: h.clock,
      logger: h.log.logger,
      metrics: new AlertMetrics(new Registry()),
      webhook: failing,
      alertAfterMs: 0,
    });
    const b = new HelpdeskAlerts({
      store: h.store,
      clock: h.clock,
      logger: h.log.logger,
      metrics: new AlertMetrics(new Registry()),
      webhook: h.webhook,
      alertAfterMs: 0,
    });
    await a.servicenowCredentialsFailed('401');
    await b.servicenowCredentialsFailed('401');
    expect(h.webhook.messages).toHaveLength(1);
  });

  it('with several replicas only the leader raises and clears the ServiceNow-credentials alert', async () => {
    h = incidentHarness({ settings: { openAfterMs: 0 }, alertAfterMs: 0 });
    const leader = new HelpdeskAlerts({
      store: h.store,
      clock: h.clock,
      logger: h.log.logger,
      metrics: new AlertMetrics(new Registry()),
      webhook: h.webhook,
      alertAfterMs: 0,
      decidesCredentials: () => true,
    });
    const follower = new HelpdeskAlerts({
      store: h.store,
      clock: h.clock,
      logger: h.log.logger,
      metrics: new AlertMetrics(new Registry()),
      webhook: h.webhook,
      alertAfterMs: 0,
      decidesCredentials: () => false,
    });
    await follower.servicenowCredentialsFailed('401'); // a follower's own broker: not its call
    expect(h.webhook.messages).toHaveLength(0);
    await leader.servicenowCredentialsFailed('401');
    await follower.check(); // healthy as far as the follower knows, but it does not clear the leader's alert
    await leader.check();
    expect(h.webhook.messages).toHaveLength(1);
    await leader.servicenowCredentialsRecovered();
    expect(h.webhook.messages).toHaveLength(2);
  });

  it('only logs when no ALERT_WEBHOOK_URL is configured', async () => {
    start();
    const silent = new HelpdeskAlerts({
      store: h.store,
      clock: h.clock,
      logger: h.log.logger,
      metrics: new AlertMetrics(new Registry()),
      webhook: null,
      alertAfterMs: 120_000,
    });
    await silent.servicenowCredentialsFailed('401');
    expect(h.log.text()).toContain('helpdesk alert (raised) not sent: ALERT_WEBHOOK_URL is not set');
    expect(h.webhook.messages).toEqual([]);
  });
});
