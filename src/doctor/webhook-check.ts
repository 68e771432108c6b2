import type { Config } from '../config/config.js';
import { HttpAlertWebhook } from '../upstream/alert-webhook.js';
import { closeHttpClient, createHttpClient } from '../net/http-client.js';
import { isNetworkError, networkErrorText } from '../net/network-error.js';
import { VERSION } from '../meta/version.js';
import { fail, messageOf, pass, warn, type Check } from './check.js';
import { CALL_TIMEOUT_MS, originOf } from './probe-parts.js';

/**
 * alert-webhook: ALERT_WEBHOOK_URL answers at all — a HEAD request, which posts nothing to the channel.
 * The URL carries the webhook's secret: only its origin is ever shown.
 */
export function alertWebhookCheck(config: Config): Check {
  const url = config.alertWebhookUrl;
  return {
    name: 'alert-webhook',
    timeoutFix: url ? `check that this host reaches ${originOf(url)} (DNS, proxy, firewall)` : undefined,
    run: async (signal) => {
      if (!url) {
        return warn(
          'ALERT_WEBHOOK_URL is not set: while ServiceNow is down, nobody hears of a failing trunk',
          'set ALERT_WEBHOOK_URL to a Slack or Teams incoming webhook of the helpdesk',
        );
      }
      const http = createHttpClient({ baseURL: url, timeoutMs: CALL_TIMEOUT_MS, maxSockets: 1 });
      try {
        const res = await http.head(url, { signal });
        // Webhooks take POST only: 400, 404 and 405 to a HEAD are the usual answers of a working one.
        if (res.status >= 500)
          return warn(
            `${originOf(url)} answered ${res.status} to a HEAD request`,
            'run the doctor with --webhook-test to post a test message; if that fails too, check the webhook (Slack/Teams app settings) behind ALERT_WEBHOOK_URL',
          );
        if (res.status === 401 || res.status === 403 || res.status === 410) {
          return warn(
            `${originOf(url)} answered ${res.status} to a HEAD request: the webhook may refuse messages`,
            'run the doctor with --webhook-test; if the message is refused, create a new incoming webhook and set ALERT_WEBHOOK_URL to it',
          );
        }
        return pass(`${originOf(url)} reachable (answered ${res.status} to a HEAD request; no message posted — --webhook-test posts one)`);
      } catch (err) {
        const why = isNetworkError(err) ? networkErrorText(err) : messageOf(err);
        return fail(
          `${originOf(url)} cannot be reached: ${why}`,
          `check ALERT_WEBHOOK_URL and that this host reaches ${originOf(url)} (DNS, proxy, firewall)`,
        );
      } finally {
        closeHttpClient(http);
      }
    },
  };
}

/** alert-webhook-test (--webhook-test only): one test message, posted as trunkgate's alerts are. */
export function alertWebhookTestCheck(config: Config): Check {
  return {
    name: 'alert-webhook-test',
    run: async (signal) => {
      if (!config.alertWebhookUrl)
        return fail(
          'ALERT_WEBHOOK_URL is not set: no test message sent',
          'set ALERT_WEBHOOK_URL to a Slack or Teams incoming webhook of the helpdesk',
        );
      const webhook = new HttpAlertWebhook(config.alertWebhookUrl, CALL_TIMEOUT_MS);
      try {
        await webhook.send(
          `trunkgate ${VERSION} doctor: test message. When ServiceNow cannot be reached, trunkgate alerts here about failing SIP trunks. Nothing needs doing.`,
          signal,
        );
        return pass(`test message accepted by ${originOf(config.alertWebhookUrl)}`);
      } catch (err) {
        return fail(
          `the test message was not delivered to ${originOf(config.alertWebhookUrl)}: ${messageOf(err).replace(/alert-webhook/g, 'the webhook')}`,
          'check the incoming webhook behind ALERT_WEBHOOK_URL (still enabled, the channel still there), or create a new one and set ALERT_WEBHOOK_URL to it',
        );
      }
    },
  };
}
