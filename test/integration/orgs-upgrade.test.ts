import { afterEach, describe, expect, it } from 'vitest';
import type { TrunkgateApp } from '../../src/app/create-app.js';
import { orgClient, orgTrunkBaseIds, orgTrunkIds } from '../../src/sim/genesys/index.js';
import { DEMO_USER } from '../../src/sim/servicenow/index.js';
import { startSimulators, type Simulators } from '../../src/sim/start-simulators.js';
import { eventually } from '../support/eventually.js';
import { incidentsWith, orgsConfig, startOrgsApp, writeConnectionsFile } from '../support/orgs-app.js';
import { tempDataDir, testConfig } from '../support/test-config.js';

const TRUNK = orgTrunkIds('acme').twilio;
/** The correlation id of the single-org form, as ServiceNow knows the incident opened before the upgrade. */
const OLD_KEY = `trunkgate:trunkbase:${orgTrunkBaseIds('acme').twilio}`;

describe('from the GENESYS_* / SERVICENOW_* variables to a connections file of several instances', () => {
  let sims: Simulators | undefined;
  let app: TrunkgateApp | undefined;
  afterEach(async () => {
    await app?.close();
    await sims?.close();
    app = sims = undefined;
  });

  it('an incident opened before the upgrade is still resolved, in the instance it was opened in', async () => {
    sims = await startSimulators({ orgs: ['acme', 'globex'], instances: ['sn-a', 'sn-b'] });
    const dataDir = tempDataDir();
    const rules = {
      INCIDENT_OPEN_AFTER_MS: '0',
      INCIDENT_RESOLVE_AFTER_MS: '0',
      MONITOR_NOTIFICATIONS: 'false',
      MONITOR_POLL_INTERVAL_MS: '1000',
    };
    // Before: one org (acme's client) and one instance (sn-a), from the variables.
    const before = await startOrgsApp(
      testConfig({
        ...rules,
        DATA_DIR: dataDir,
        GENESYS_LOGIN_URL: sims.genesys.url,
        GENESYS_API_URL: sims.genesys.url,
        GENESYS_CLIENT_ID: orgClient('acme').clientId,
        GENESYS_CLIENT_SECRET: orgClient('acme').clientSecret,
        SERVICENOW_INSTANCE_URL: sims.servicenowInstances.get('sn-a')!.url,
        SERVICENOW_USERNAME: DEMO_USER.username,
        SERVICENOW_PASSWORD: DEMO_USER.password,
      }),
    );
    app = before.app;
    await eventually(async () => expect((await before.api.get(`/v1/trunks/${TRUNK}`)).body).toMatchObject({ state: 'registered' }));
    sims.genesys.control.org('acme').setTrunkState(TRUNK, { state: 'rejected', sipCode: 403 });
    await eventually(() => expect(incidentsWith(sims!, OLD_KEY)).toMatchObject([{ instance: 'sn-a', fields: { state: '1' } }]));
    await app.close();
    app = undefined;

    // After: the connections file names the same org and instance first, and a second instance.
    const file = writeConnectionsFile(sims, {
      orgs: [
        { name: 'acme', servicenow: 'sn-a' },
        { name: 'globex', servicenow: 'sn-b' },
      ],
    });
    const after = await startOrgsApp(orgsConfig(file, { ...rules, DATA_DIR: dataDir }));
    app = after.app;
    sims.genesys.control.org('acme').setTrunkState(TRUNK, { state: 'registered' });
    await eventually(() => expect(incidentsWith(sims!, OLD_KEY)).toMatchObject([{ instance: 'sn-a', fields: { state: '6' } }]));
    await eventually(async () => {
      const { body } = await after.api.get('/v1/incidents');
      expect(body.incidents).toMatchObject([{ correlationId: OLD_KEY, state: 'resolved', pendingDeliveries: 0 }]);
    });
    expect(sims.servicenowInstances.get('sn-b')!.incidents()).toEqual([]);
  });
});
