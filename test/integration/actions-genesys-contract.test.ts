import { Ajv } from 'ajv';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActionSummary } from '../../src/actions/action-service.js';
import { genesysDataAction } from '../../src/actions/genesys-export.js';
import { defaultTrunkIds } from '../../src/sim/genesys/index.js';
import { apiKeyHeader, startActionHarness, type ActionHarness } from '../support/action-harness.js';

/**
 * What a Genesys flow receives: every built-in action's answer, in healthy and failing cases, must fit
 * the success schema of the Data Action `npm run export-data-actions` writes for it. Genesys does not
 * apply translationMapDefaults to a null (docs/genesys-cloud.md, "Data Actions"), so a null where the
 * contract says string or integer is exactly what this catches.
 */
describe('built-in action outputs fit their exported Genesys success schemas', () => {
  let h: ActionHarness;
  const ajv = new Ajv({ strict: false, allErrors: true });
  const contracts = new Map<string, ReturnType<Ajv['compile']>>();

  beforeAll(async () => {
    h = await startActionHarness();
    const { actions } = (await request(h.app.express).get('/v1/actions').set(apiKeyHeader).expect(200)).body as {
      actions: ActionSummary[];
    };
    for (const action of actions) {
      const exported = genesysDataAction(action, { baseUrl: 'https://gw.example.com', auth: 'basic' }) as {
        contract: { output: { successSchema: Record<string, unknown> } };
      };
      // Contracts are draft-04; the keywords they use read the same in Ajv's default dialect.
      const { $schema: _s, ...successSchema } = exported.contract.output.successSchema;
      contracts.set(action.name, ajv.compile({ ...successSchema, additionalProperties: false }));
    }
  });
  afterAll(async () => h.close());

  const fits = (name: string, body: unknown) => {
    const validate = contracts.get(name)!;
    const ok = validate(body);
    expect(validate.errors ?? [], `${name} answered ${JSON.stringify(body)}`).toEqual([]);
    expect(ok).toBe(true);
    expect(Object.values(body as object)).not.toContain(null);
  };

  it('covers every built-in action', () => {
    expect([...contracts.keys()].sort()).toEqual(['add-work-note', 'create-incident', 'get-incident', 'get-trunk', 'update-incident']);
  });

  it('the ServiceNow actions, on a new incident and after changes', async () => {
    const created = await h.run('create-incident', { short_description: 'contract check' }).expect(200);
    fits('create-incident', created.body);
    fits('get-incident', (await h.run('get-incident', { sys_id: created.body.sys_id }).expect(200)).body);
    fits('update-incident', (await h.run('update-incident', { sys_id: created.body.sys_id, state: 2, urgency: 1 }).expect(200)).body);
    fits('add-work-note', (await h.run('add-work-note', { number: created.body.number, work_notes: 'checked' }).expect(200)).body);
    fits('get-incident', (await h.run('get-incident', { number: created.body.number }).expect(200)).body);
  });

  it('get-trunk for a registered, rejected, dropped and disconnected trunk, and for trunks that do not use registration', async () => {
    const control = h.sims.genesys.control;
    const cases: Array<[string, () => void, Record<string, unknown>]> = [
      [defaultTrunkIds.lumenPrimary, () => undefined, { state: 'registered', healthy: true }],
      [
        defaultTrunkIds.twilio,
        () => control.setTrunkState(defaultTrunkIds.twilio, { state: 'rejected', sipCode: 403 }),
        { state: 'rejected', healthy: false, errorCode: 403 },
      ],
      [
        defaultTrunkIds.lumenSecondary,
        () => control.setTrunkState(defaultTrunkIds.lumenSecondary, { state: 'dropped' }),
        { state: 'dropped', healthy: false, errorText: 'No response to REGISTER' },
      ],
      [
        defaultTrunkIds.acmePbx,
        () => control.setTrunkState(defaultTrunkIds.acmePbx, { state: 'registered', connected: false }),
        { state: 'dropped', signal: 'connection' },
      ],
      [defaultTrunkIds.bandwidthCloudA, () => undefined, { state: 'connected', healthy: true, signal: 'options' }],
      [
        defaultTrunkIds.bandwidthCloudB,
        () => control.setTrunkState(defaultTrunkIds.bandwidthCloudB, { state: 'dropped', sipCode: 408 }),
        { state: 'dropped', signal: 'options', errorCode: 408 },
      ],
    ];
    for (const [trunkId, arrange, expected] of cases) {
      arrange();
      const res = await h.run('get-trunk', { trunkId }).expect(200);
      expect(res.body).toMatchObject({ id: trunkId, ...expected });
      fits('get-trunk', res.body);
    }
    // A trunk that does not use registration says nothing about it, rather than `registered: null`.
    const cloud = await h.run('get-trunk', { trunkId: defaultTrunkIds.bandwidthCloudA }).expect(200);
    expect(cloud.body).not.toHaveProperty('registered');
    expect(cloud.body).not.toHaveProperty('errorCode');
  });
});
