import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp, type TrunkgateApp } from '../../src/app/create-app.js';
import { defaultTrunkIds } from '../../src/sim/genesys/index.js';
import type { Simulators } from '../../src/sim/start-simulators.js';
import { apiClient } from '../support/api-client.js';
import { eventually } from '../support/eventually.js';
import { startTestSims } from '../support/sims.js';
import { memoryLogger, testConfig } from '../support/test-config.js';

/** A tiny chat-webhook receiver: keeps each JSON body it is sent. */
async function webhookReceiver() {
  const bodies: Array<{ text: string }> = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      bodies.push(JSON.parse(raw) as { text: string });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/T000/B000/secret`,
    bodies,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('helpdesk webhook (ALERT_WEBHOOK_URL) when ServiceNow cannot take an incident', () => {
  let sims: Simulators | undefined;
  let app: TrunkgateApp | undefined;
  let receiver: Awaited<ReturnType<typeof webhookReceiver>> | undefined;
  afterEach(async () => {
    await app?.close();
    await sims?.close();
    await receiver?.close();
  });

  it('during a 429 storm: one alert once ALERT_AFTER_MS has passed, none while it lasts, one when the incident is delivered', async () => {
    const started = await startTestSims();
    sims = started.sims;
    receiver = await webhookReceiver();
    const log = memoryLogger('info');
    app = await createApp(
      testConfig({ ...started.env, ALERT_WEBHOOK_URL: receiver.url, ALERT_AFTER_MS: '500', INCIDENT_OPEN_AFTER_MS: '0' }),
      { logger: log.logger, processMetrics: false, monitor: null },
    );
    const api = apiClient(await app.listen(0, '127.0.0.1'));
    sims.servicenow.control.rateLimitStorm({ retryAfterSec: 1 });

    await api.post('/v1/events', {
      eventId: 'storm-1',
      trunkId: defaultTrunkIds.lumenSecondary,
      state: 'rejected',
      sipCode: 403,
      trunkName: 'Lumen SIP - CHI',
    });
    await eventually(() => expect(receiver!.bodies).toHaveLength(1));
    expect(receiver.bodies[0]!.text).toMatch(/^⚠️ trunkgate: ServiceNow cannot take incidents right now \(1 problem\)/);
    expect(receiver.bodies[0]!.text).toContain('SIP trunk Lumen SIP - CHI');
    expect(receiver.bodies[0]!.text).toContain('not in ServiceNow yet');
    // Retries go on (each honouring Retry-After) without a second alert.
    await eventually(() => expect(sims!.servicenow.stats().rateLimited).toBeGreaterThanOrEqual(3));
    expect(receiver.bodies).toHaveLength(1);

    await sims.servicenow.control.restore();
    await eventually(() => expect(receiver!.bodies).toHaveLength(2));
    const [incident] = sims.servicenow.incidents();
    expect(receiver.bodies[1]!.text).toBe(
      `✅ trunkgate: resolved (1):\n• SIP trunk Lumen SIP - CHI (id ${defaultTrunkIds.lumenSecondary}): registration rejected (SIP 403): delivered to ServiceNow (${incident!.number}).`,
    );
    expect(sims.servicenow.incidents()).toHaveLength(1);
    expect(log.text()).not.toContain('/hooks/T000/B000/secret');
  });
});
