import { afterEach, describe, expect, it } from 'vitest';
import { createApp, type TrunkgateApp } from '../../src/app/create-app.js';
import { defaultTrunkBaseIds, defaultTrunkIds } from '../../src/sim/genesys/index.js';
import type { Simulators } from '../../src/sim/start-simulators.js';
import { apiClient } from '../support/api-client.js';
import { eventually } from '../support/eventually.js';
import { startTestSims } from '../support/sims.js';
import { memoryLogger, testConfig } from '../support/test-config.js';

const LUMEN_KEY = `trunkgate:trunkbase:${defaultTrunkBaseIds.lumen}`;
const CLOUD_KEY = `trunkgate:trunkbase:${defaultTrunkBaseIds.bandwidthCloud}`;

/** What real orgs do that a tidy simulator would not: a carrier failing on every Edge, trunks without registration, partial events. */
describe('registration watchdog against the simulators: the inconvenient cases', () => {
  let sims: Simulators | undefined;
  let app: TrunkgateApp | undefined;
  afterEach(async () => {
    await app?.close();
    await sims?.close();
  });

  async function start(env: Record<string, string> = {}) {
    const started = await startTestSims();
    sims = started.sims;
    app = await createApp(
      testConfig({
        ...started.env,
        MONITOR_NOTIFICATIONS: 'true',
        MONITOR_POLL_INTERVAL_MS: '3600000',
        INCIDENT_OPEN_AFTER_MS: '300',
        INCIDENT_RESOLVE_AFTER_MS: '500',
        INCIDENT_NOTE_INTERVAL_MS: '0',
        ...env,
      }),
      { logger: memoryLogger('warn').logger, processMetrics: false },
    );
    const api = apiClient(await app.listen(0, '127.0.0.1'));
    await eventually(() => expect(app!.monitor!.status().channels.openTopics).toBe(6));
    return { api, control: started.sims.genesys.control };
  }
  const snIncidents = (key: string) => sims!.servicenow.incidents().filter((i) => i.fields.correlation_id === key);

  it('a carrier outage on two Edges is one incident naming both; the later recovery of each is a work note; it resolves once both are healthy', async () => {
    const { api, control } = await start();
    control.setTrunkState(defaultTrunkIds.lumenPrimary, { state: 'rejected', sipCode: 403 });
    control.setTrunkState(defaultTrunkIds.lumenSecondary, { state: 'rejected', sipCode: 403 });
    const [incident] = await eventually(() => {
      expect(snIncidents(LUMEN_KEY)).toHaveLength(1);
      expect(String(snIncidents(LUMEN_KEY)[0]!.fields.description)).toContain('edge-chi-01');
      return snIncidents(LUMEN_KEY);
    });
    const description = String(incident!.fields.description);
    for (const words of ['Lumen SIP - NYC', 'edge-nyc-01', 'Lumen SIP - CHI', 'edge-chi-01', 'SIP 403 Forbidden'])
      expect(description).toContain(words);
    expect(sims!.servicenow.incidents()).toHaveLength(1);
    // Each trunk shows the shared incident; the incident lists both trunks.
    for (const id of [defaultTrunkIds.lumenPrimary, defaultTrunkIds.lumenSecondary]) {
      await eventually(async () =>
        expect((await api.get(`/v1/trunks/${id}`)).body).toMatchObject({
          healthy: false,
          trunkBase: { id: defaultTrunkBaseIds.lumen },
          incident: { number: incident!.number },
        }),
      );
    }
    const [listed] = (await api.get('/v1/incidents')).body.incidents;
    expect(listed).toMatchObject({ correlationId: LUMEN_KEY, trunkBaseId: defaultTrunkBaseIds.lumen });
    expect([...listed.trunkIds].sort()).toEqual([defaultTrunkIds.lumenPrimary, defaultTrunkIds.lumenSecondary].sort());

    control.setTrunkState(defaultTrunkIds.lumenPrimary, { state: 'registered' });
    await eventually(() =>
      expect(snIncidents(LUMEN_KEY)[0]!.journal.some((j) => j.field === 'work_notes' && String(j.value).includes('Lumen SIP - NYC'))).toBe(
        true,
      ),
    );
    // Twice INCIDENT_RESOLVE_AFTER_MS later (several ticks), CHI still fails: nothing resolved.
    const nycHealthy = Date.parse((await api.get(`/v1/trunks/${defaultTrunkIds.lumenPrimary}`)).body.since);
    await eventually(() => expect(Date.now() - nycHealthy).toBeGreaterThan(1_000));
    expect(snIncidents(LUMEN_KEY)[0]!.fields.state).toBe('1');
    control.setTrunkState(defaultTrunkIds.lumenSecondary, { state: 'registered' });
    await eventually(() => expect(snIncidents(LUMEN_KEY)[0]!.fields.state).toBe('6'), { timeoutMs: 15_000 });
    expect(sims!.servicenow.incidents()).toHaveLength(1);
  });

  it('a BYOC Cloud trunk (no registration) is connected while OPTIONS are answered; unanswered OPTIONS open an incident that says so', async () => {
    const { api, control } = await start();
    const id = defaultTrunkIds.bandwidthCloudA;
    await eventually(async () =>
      expect((await api.get(`/v1/trunks/${id}`)).body).toMatchObject({ state: 'connected', healthy: true, signal: 'options' }),
    );
    control.setTrunkState(id, { state: 'dropped', sipCode: 408 });
    const [incident] = await eventually(() => {
      expect(snIncidents(CLOUD_KEY)).toHaveLength(1);
      return snIncidents(CLOUD_KEY);
    });
    expect(incident!.fields.short_description).toBe(
      'SIP trunk base BYOC Cloud - Bandwidth: SIP OPTIONS unanswered on 1 of 2 trunks (SIP 408 Request Timeout)',
    );
    expect(String(incident!.fields.description)).toContain('SIP OPTIONS to sip.bandwidth.example.com:5060 unanswered (408)');
    expect((await api.get(`/v1/trunks/${id}`)).body).toMatchObject({ state: 'dropped', healthy: false, signal: 'options', sipCode: 408 });
    control.setTrunkState(id, { state: 'registered' });
    await eventually(() => expect(snIncidents(CLOUD_KEY)[0]!.fields.state).toBe('6'), { timeoutMs: 15_000 });
  });

  it('partial notification events (only what changed) neither flap nor heal a rejected trunk', async () => {
    const { api, control } = await start();
    const id = defaultTrunkIds.twilio;
    control.setPartialEvents({ enabled: true });
    control.setTrunkState(id, { state: 'rejected', sipCode: 403 });
    await eventually(async () => expect((await api.get(`/v1/trunks/${id}`)).body).toMatchObject({ state: 'rejected', sipCode: 403 }));
    await eventually(() => expect(snIncidents(`trunkgate:trunkbase:${defaultTrunkBaseIds.twilio}`)).toHaveLength(1));
    const changesBefore = (await api.get(`/v1/trunks/${id}/events`)).body.events.length;
    // Events that leave registersStatus out: connection, OPTIONS, IP. Counted once each was recorded by the incident service, not merely sent.
    const recorded = async () =>
      (await app!.registry.getSingleMetric('trunkgate_monitor_sightings_total')!.get()).values.find(
        (v) => v.labels.source === 'notification',
      )?.value ?? 0;
    const before = await recorded();
    control.pushTrunkEvent(id, { id, connectedStatus: { connected: true, connectedStateTime: new Date().toISOString() } });
    control.pushTrunkEvent(id, {
      id,
      optionsStatus: [{ proxyAddress: 'acme.pstn.twilio.example.com:5060', optionState: true, optionStateTime: new Date().toISOString() }],
    });
    control.pushTrunkEvent(id, { id, ipStatus: { address: '198.51.100.12' } });
    await eventually(async () => expect(await recorded()).toBe(before + 3));
    expect((await api.get(`/v1/trunks/${id}`)).body).toMatchObject({ state: 'rejected', sipCode: 403, source: 'notification' });
    expect((await api.get(`/v1/trunks/${id}/events`)).body.events).toHaveLength(changesBefore);
    // The event that does carry the registration heals it.
    control.setTrunkState(id, { state: 'registered' });
    await eventually(async () => expect((await api.get(`/v1/trunks/${id}`)).body).toMatchObject({ state: 'registered', healthy: true }));
  });
});
