import { afterEach, describe, expect, it } from 'vitest';
import { BasicCredentials } from '../../src/credentials/upstream-credentials.js';
import { DEMO_USER } from '../../src/sim/servicenow/index.js';
import type { Simulators } from '../../src/sim/start-simulators.js';
import { ServiceNowClient } from '../../src/upstream/servicenow-client.js';
import { createUpstreamHttp } from '../../src/upstream/upstream-http.js';
import { startTestSims } from '../support/sims.js';

describe('ServiceNowClient (incident table)', () => {
  let sims: Simulators | undefined;
  afterEach(async () => sims?.close());

  async function client() {
    sims = (await startTestSims()).sims;
    return new ServiceNowClient(createUpstreamHttp({ baseURL: sims.servicenow.url, timeoutMs: 2_000 }), new BasicCredentials(DEMO_USER.username, DEMO_USER.password), { defaultTimeoutMs: 1_000 });
  }

  it('creates, finds by correlation_id and updates an incident', async () => {
    const sn = await client();
    const created = await sn.create({ short_description: 'Trunk down', correlation_id: 'trunkgate:trunk:t1' });
    expect(created.sys_id).toMatch(/^[0-9a-f]{32}$/);
    expect(created.number).toMatch(/^INC\d+/);
    const found = await sn.query('active=true^correlation_id=trunkgate:trunk:t1', { limit: 1, fields: ['sys_id', 'correlation_id'] });
    expect(found).toEqual([{ sys_id: created.sys_id, correlation_id: 'trunkgate:trunk:t1' }]);
    const updated = await sn.update(created.sys_id!, { state: '6', close_code: 'Solution provided', close_notes: 'recovered' });
    expect(updated.state).toBe('6');
  });

  it('maps an outage and a refused connection to upstream_unavailable, a bad sys_id to upstream_error', async () => {
    const sn = await client();
    await expect(sn.update('0'.repeat(32), { work_notes: 'x' })).rejects.toMatchObject({ code: 'upstream_error', details: [expect.objectContaining({ upstream: 'servicenow', operation: 'PATCH incident', status: 404 })] });
    await sims!.servicenow.control.outage({ mode: '503' });
    await expect(sn.create({ short_description: 'x' })).rejects.toMatchObject({ code: 'upstream_unavailable' });
    await sims!.servicenow.control.outage({ mode: 'refused', durationMs: 5_000 });
    await expect(sn.query('active=true')).rejects.toMatchObject({ code: 'upstream_unavailable' });
  });
});
