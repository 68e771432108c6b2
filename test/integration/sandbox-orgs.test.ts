import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sandboxBanner } from '../../src/sandbox/sandbox-banner.js';
import { DEMO_API_KEY, sandboxOrgCount, startSandbox, type Sandbox } from '../../src/sandbox/sandbox-setup.js';
import { defaultTrunkIds, orgTrunkIds } from '../../src/sim/genesys/index.js';
import { eventually } from '../support/eventually.js';
import { memoryLogger, tempDataDir } from '../support/test-config.js';

type TrunkView = { id: string; org: string; state: string };

/** The sandbox's set-up (simulators, connections, createApp) as `npm run sandbox` builds it, without the story. */
describe('the sandbox set-up', () => {
  let sandbox: Sandbox | undefined;
  afterEach(async () => {
    await sandbox?.app.close();
    await sandbox?.sims.close();
    sandbox = undefined;
  });

  async function start(orgs: 1 | 2, dataDir = tempDataDir()) {
    sandbox = await startSandbox({ orgs, env: { DATA_DIR: dataDir }, logger: memoryLogger('warn').logger });
    const baseUrl = await sandbox.app.listen(0, '127.0.0.1');
    const get = async (url: string) => {
      const res = await fetch(`${baseUrl}${url}`, { headers: { 'X-API-Key': DEMO_API_KEY } });
      expect(res.status, url).toBe(200);
      return (await res.json()) as Record<string, unknown>;
    };
    return { sandbox, baseUrl, get, dataDir };
  }

  it('SANDBOX_ORGS: unset, empty or 1 is one org, 2 is two; anything else is refused', () => {
    expect(sandboxOrgCount({})).toBe(1);
    expect(sandboxOrgCount({ SANDBOX_ORGS: '' })).toBe(1);
    expect(sandboxOrgCount({ SANDBOX_ORGS: '1' })).toBe(1);
    expect(sandboxOrgCount({ SANDBOX_ORGS: ' 2 ' })).toBe(2);
    for (const bad of ['0', '3', 'two', '-1']) expect(() => sandboxOrgCount({ SANDBOX_ORGS: bad })).toThrow(/SANDBOX_ORGS must be 1 or 2/);
  });

  it("SANDBOX_ORGS=2: a connections file in DATA_DIR, each org's trunks under /v1/trunks?org=, one connection per org and instance", async () => {
    const { sandbox, baseUrl, get, dataDir } = await start(2);
    expect(sandbox.connectionsFile).toBe(path.join(dataDir, 'connections.yaml'));
    const file = fs.readFileSync(sandbox.connectionsFile!, 'utf8');
    expect(file).toContain('name: acme');
    expect(file).toContain('servicenow: sn-globex');
    expect(sandbox.orgs.map((o) => [o.name, o.instance])).toEqual([
      ['acme', 'sn-acme'],
      ['globex', 'sn-globex'],
    ]);
    // Each org sends its incidents to a simulator of its own.
    expect(sandbox.orgs[0]!.servicenow).not.toBe(sandbox.orgs[1]!.servicenow);

    for (const org of ['acme', 'globex']) {
      const ids = orgTrunkIds(org);
      const trunks = await eventually(async () => {
        const listed = (await get(`/v1/trunks?org=${org}`)).trunks as TrunkView[];
        expect(listed.map((t) => t.id)).toEqual(expect.arrayContaining([ids.lumenPrimary, ids.twilio, ids.bandwidthCloudA]));
        return listed;
      });
      expect(trunks.every((t) => t.org === org)).toBe(true);
      // The other org's trunks are not listed under this one.
      const other = orgTrunkIds(org === 'acme' ? 'globex' : 'acme');
      expect(trunks.map((t) => t.id)).not.toContain(other.lumenPrimary);
    }
    const all = (await get('/v1/trunks')).trunks as TrunkView[];
    expect(new Set(all.map((t) => t.org))).toEqual(new Set(['acme', 'globex']));

    const { upstreams } = (await get('/v1/credentials')) as { upstreams: Array<{ name: string; connection: string }> };
    expect(upstreams.map((u) => `${u.name}:${u.connection}`).sort()).toEqual(
      ['genesys:acme', 'genesys:globex', 'servicenow:sn-acme', 'servicenow:sn-globex'].sort(),
    );

    const banner = sandboxBanner(sandbox, baseUrl);
    for (const text of [
      'org acme',
      'org globex',
      'ServiceNow instance sn-acme',
      'ServiceNow instance sn-globex',
      sandbox.connectionsFile!,
      `${baseUrl}/v1/trunks?org=globex`,
      `${baseUrl}/v1/orgs/globex/actions/get-trunk`,
      orgTrunkIds('globex').lumenPrimary,
    ])
      expect(banner).toContain(text);
  });

  it('without SANDBOX_ORGS: one org named default from the GENESYS_* / SERVICENOW_* variables, as before', async () => {
    const { sandbox, baseUrl, get, dataDir } = await start(1);
    expect(sandbox.connectionsFile).toBeNull();
    expect(fs.existsSync(path.join(dataDir, 'connections.yaml'))).toBe(false);
    expect(sandbox.orgs.map((o) => [o.name, o.instance])).toEqual([['default', 'default']]);
    await eventually(async () => {
      const trunks = (await get('/v1/trunks')).trunks as TrunkView[];
      expect(trunks.map((t) => t.id)).toContain(defaultTrunkIds.lumenPrimary);
      expect(trunks.every((t) => t.org === 'default')).toBe(true);
    });
    const banner = sandboxBanner(sandbox, baseUrl);
    expect(banner).toContain(`ServiceNow simulator:    ${sandbox.sims.servicenow.url}`);
    expect(banner).not.toContain('/v1/orgs/');
  });
});
