import { afterEach, describe, expect, it } from 'vitest';
import type { Upstreams } from '../../src/app/create-upstreams.js';
import type { Simulators } from '../../src/sim/start-simulators.js';
import { startTestSims } from '../support/sims.js';
import { testUpstreams } from '../support/upstreams.js';

describe('ServiceNowClient (incident table)', () => {
  let sims: Simulators | undefined;
  let upstreams: Upstreams | undefined;
  afterEach(async () => {
    await upstreams?.close();
    await sims?.close();
  });

  /** The ServiceNow client as createApp builds it (Basic auth as the demo user, 1 s per call). */
  async function client() {
    const started = await startTestSims();
    sims = started.sims;
    upstreams = testUpstreams({ ...started.env, ACTION_TIMEOUT_MS: '1000' });
    return upstreams.servicenow.client;
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
    await expect(sn.update('0'.repeat(32), { work_notes: 'x' })).rejects.toMatchObject({
      code: 'upstream_error',
      details: [expect.objectContaining({ upstream: 'servicenow', operation: 'PATCH incident', status: 404 })],
    });
    await sims!.servicenow.control.outage({ mode: '503' });
    await expect(sn.create({ short_description: 'x' })).rejects.toMatchObject({ code: 'upstream_unavailable' });
    await sims!.servicenow.control.outage({ mode: 'refused', durationMs: 5_000 });
    await expect(sn.query('active=true')).rejects.toMatchObject({ code: 'upstream_unavailable' });
  });

  it("finds a marker in one incident's work notes through sys_journal_field, escaped, with one row asked for", async () => {
    const sn = await client();
    const queries: string[] = [];
    sims!.servicenow.control.on('request', (e) => e.path.endsWith('/sys_journal_field') && queries.push(e.query));
    const a = await sn.create({ short_description: 'a', work_notes: 'opened' });
    const b = await sn.create({ short_description: 'b' });
    await sn.update(a.sys_id!, { work_notes: 'still failing\n[trunkgate:d:ab12-7]' });
    await sn.update(a.sys_id!, { comments: 'x^ORy [trunkgate:d:ab12-8]' });
    expect(await sn.workNotesContain(a.sys_id!, '[trunkgate:d:ab12-7]')).toBe(true);
    expect(await sn.workNotesContain(b.sys_id!, '[trunkgate:d:ab12-7]')).toBe(false);
    // A comment is not a work note, and a caret in the text cannot add a condition.
    expect(await sn.workNotesContain(a.sys_id!, '[trunkgate:d:ab12-8]')).toBe(false);
    expect(await sn.workNotesContain(a.sys_id!, 'x^ORy')).toBe(false);
    expect(new URLSearchParams(queries[0]).get('sysparm_query')).toBe(
      `element_id=${a.sys_id}^element=work_notes^valueLIKE[trunkgate:d:ab12-7]`,
    );
    expect(new URLSearchParams(queries[0]).get('sysparm_limit')).toBe('1');
    expect(new URLSearchParams(queries[3]).get('sysparm_query')).toBe(`element_id=${a.sys_id}^element=work_notes^valueLIKEx^^ORy`);
  });
});
