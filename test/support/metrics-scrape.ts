import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../src/app/create-app.js';
import { defaultTrunkIds } from '../../src/sim/genesys/index.js';
import { eventually } from './eventually.js';
import { startTestSims } from './sims.js';
import { memoryLogger, testConfig, TEST_API_KEY } from './test-config.js';

/**
 * A single trunkgate (no REDIS_URL, SQLite, process metrics on, as `npm start` runs it) against the
 * simulators, brought to where every part has reported something: the monitor has polled and holds
 * its notification channel, an action went upstream, a rejected trunk opened an incident that reached
 * ServiceNow, (the helpdesk webhook is configured). Returns the text of `GET /metrics`, then stops it all.
 */
export async function scrapeTrunkgate(options: { timeoutMs?: number } = {}): Promise<string> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const { sims, env } = await startTestSims();
  const webhook = await startWebhook();
  const log = memoryLogger('warn');
  try {
    const app = await createApp(
      testConfig({
        ...env,
        MONITOR_POLL_INTERVAL_MS: '1000',
        INCIDENT_OPEN_AFTER_MS: '0',
        ALERT_WEBHOOK_URL: webhook.url,
        SHUTDOWN_GRACE_MS: '1000',
      }),
      { logger: log.logger, processMetrics: true },
    );
    try {
      const base = await app.listen(0, '127.0.0.1');
      const metrics = async () => (await fetch(`${base}/metrics`)).text();
      const has = (text: string, pattern: RegExp) => {
        if (!pattern.test(text)) throw new Error(`/metrics has no ${pattern}`);
      };
      await eventually(async () => has(await metrics(), /^trunkgate_monitor_channels_open 1$/m), { timeoutMs, intervalMs: 100 });
      const action = await fetch(`${base}/v1/actions/get-trunk`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${TEST_API_KEY}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ trunkId: defaultTrunkIds.lumenSecondary }),
      });
      if (action.status !== 200) throw new Error(`get-trunk answered ${action.status}: ${await action.text()}`);
      sims.genesys.control.setTrunkState(defaultTrunkIds.lumenSecondary, { state: 'rejected', sipCode: 403 });
      await eventually(
        async () => has(await metrics(), /^trunkgate_servicenow_deliveries_total\{operation="create",outcome="delivered"\} [1-9]/m),
        { timeoutMs, intervalMs: 100 },
      );
      return await metrics();
    } finally {
      await app.close();
    }
  } catch (err) {
    // The app's own warnings say why it never got there (a refused poll, a failed delivery…).
    throw new Error(`${(err as Error).message}\ntrunkgate logged:\n${log.text().slice(-4000)}`, { cause: err });
  } finally {
    await sims.close();
    await webhook.close();
  }
}

/** A helpdesk webhook that accepts every message. */
async function startWebhook(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200).end('ok'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
