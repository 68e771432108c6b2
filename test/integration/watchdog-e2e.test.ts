import { afterEach, describe, expect, it } from 'vitest';
import { createApp, type TrunkgateApp } from '../../src/app/create-app.js';
import { defaultTrunkBaseIds, defaultTrunkIds } from '../../src/sim/genesys/index.js';
import type { Simulators } from '../../src/sim/start-simulators.js';
import { apiClient } from '../support/api-client.js';
import { eventually } from '../support/eventually.js';
import { startTestSims } from '../support/sims.js';
import { memoryLogger, testConfig } from '../support/test-config.js';

const TRUNK = defaultTrunkIds.lumenPrimary;
/** The Lumen carrier's trunk base: its trunks on edge-nyc-01 and edge-chi-01 share one incident (the default grouping). */
const BASE_KEY = `trunkgate:trunkbase:${defaultTrunkBaseIds.lumen}`;
const TRUNK_KEY = `trunkgate:trunk:${TRUNK}`;

/** The whole watchdog as createApp wires it: monitor (poll + notifications) → incident service → outbox → ServiceNow. */
describe('registration watchdog, end to end against the simulators', () => {
  let sims: Simulators | undefined;
  let app: TrunkgateApp | undefined;
  afterEach(async () => {
    await app?.close();
    await sims?.close();
  });

  async function start(env: Record<string, string>) {
    const started = await startTestSims();
    sims = started.sims;
    app = await createApp(
      testConfig({
        ...started.env,
        INCIDENT_OPEN_AFTER_MS: '300',
        INCIDENT_RESOLVE_AFTER_MS: '500',
        INCIDENT_NOTE_INTERVAL_MS: '0',
        ...env,
      }),
      {
        logger: memoryLogger('warn').logger,
        processMetrics: false,
      },
    );
    const api = apiClient(await app.listen(0, '127.0.0.1'));
    // The leader's first poll sees every EXTERNAL trunk registered.
    await eventually(async () =>
      expect((await api.get(`/v1/trunks/${TRUNK}`)).body).toMatchObject({ id: TRUNK, state: 'registered', incident: null }),
    );
    return { api, sims: started.sims };
  }

  const snIncidents = (key = BASE_KEY) => sims!.servicenow.incidents().filter((i) => i.fields.correlation_id === key);

  it('a 403 pushed over the Notifications API opens one incident with the facts; recovery resolves it', async () => {
    const { api, sims } = await start({ MONITOR_NOTIFICATIONS: 'true', MONITOR_POLL_INTERVAL_MS: '3600000' });
    await eventually(() => expect(app!.monitor!.status().channels.openTopics).toBeGreaterThan(0));
    sims.genesys.control.setTrunkState(TRUNK, { state: 'rejected', sipCode: 403 });

    const [incident] = await eventually(() => {
      expect(snIncidents()).toHaveLength(1);
      return snIncidents();
    });
    // The Lumen carrier's incident: one of its two trunks (one per Edge) is rejected.
    expect(incident!.fields.short_description).toBe(
      'SIP trunk base BYOC Carrier - Lumen: registration rejected on 1 of 2 trunks (SIP 403 Forbidden)',
    );
    expect(String(incident!.fields.description)).toContain(TRUNK);
    const trunk = (await api.get(`/v1/trunks/${TRUNK}`)).body;
    expect(trunk).toMatchObject({ state: 'rejected', sipCode: 403 });
    await eventually(async () =>
      expect((await api.get(`/v1/trunks/${TRUNK}`)).body.incident).toMatchObject({ number: incident!.number, sysId: incident!.sysId }),
    );
    const events = (await api.get(`/v1/trunks/${TRUNK}/events`)).body.events as Array<{ state: string; source: string }>;
    expect(events[0]).toMatchObject({ state: 'rejected', source: 'notification' });

    sims.genesys.control.setTrunkState(TRUNK, { state: 'registered' });
    await eventually(
      () => expect(snIncidents()[0]!.fields).toMatchObject({ state: '6', close_code: expect.any(String), close_notes: expect.any(String) }),
      { timeoutMs: 20_000 },
    );
    expect(snIncidents()).toHaveLength(1);
  });

  it('polling alone (notifications off) finds a dropped trunk and opens one incident, however many polls see it', async () => {
    await start({ MONITOR_NOTIFICATIONS: 'false', MONITOR_POLL_INTERVAL_MS: '1000' });
    sims!.genesys.control.setTrunkState(TRUNK, { state: 'dropped' });
    await eventually(() => expect(snIncidents()).toHaveLength(1));
    expect(snIncidents()[0]!.fields.short_description).toMatch(/registration dropped/);
    let polls = 0;
    app!.monitor!.on('poll', () => (polls += 1));
    await eventually(() => expect(polls).toBeGreaterThanOrEqual(2), { timeoutMs: 10_000 }); // two more polls see it dropped…
    expect(snIncidents()).toHaveLength(1); // …and still one incident
  });

  it('a failing trunk deleted in Genesys (INCIDENT_GROUP_BY=trunk): its incident is resolved after two complete polls without it', async () => {
    const { api } = await start({ MONITOR_NOTIFICATIONS: 'false', MONITOR_POLL_INTERVAL_MS: '1000', INCIDENT_GROUP_BY: 'trunk' });
    sims!.genesys.control.setTrunkState(TRUNK, { state: 'rejected', sipCode: 403 });
    await eventually(() => expect(snIncidents(TRUNK_KEY)).toHaveLength(1));
    expect(sims!.genesys.control.removeTrunk(TRUNK)).toBe(true);
    await eventually(
      () =>
        expect(snIncidents(TRUNK_KEY)[0]!.fields).toMatchObject({
          state: '6',
          close_notes: expect.stringContaining('is no longer listed by Genesys Cloud'),
        }),
      { timeoutMs: 10_000 },
    );
    expect(snIncidents(TRUNK_KEY)).toHaveLength(1);
    expect((await api.get(`/v1/trunks/${TRUNK}`)).body).toMatchObject({
      state: 'unknown',
      errorText: 'no longer listed by Genesys Cloud',
      incident: null,
    });
  });
});
