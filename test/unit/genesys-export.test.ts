import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { genesysDataAction } from '../../src/actions/genesys-export.js';
import { loadMappings } from '../../src/actions/mapping-loader.js';
import { MAPPING_TARGETS } from '../../src/app/create-upstreams.js';
import { unknownOrgProblem } from '../../src/config/connection-names.js';

const actions = loadMappings(path.resolve('mappings'), { defaultTimeoutMs: 10_000, targets: MAPPING_TARGETS }).map((m) => m.summary);
const action = (name: string) => actions.find((a) => a.name === name)!;

/** What Genesys does with an answer: JSONPath per translation map entry, JSON-encoded into the success template. */
function genesysResponse(exported: ReturnType<typeof genesysDataAction>, body: Record<string, unknown>): unknown {
  const response = (
    exported.config as {
      response: { translationMap: Record<string, string>; translationMapDefaults: Record<string, string>; successTemplate: string };
    }
  ).response;
  const values = Object.fromEntries(
    Object.entries(response.translationMap).map(([name, jsonPath]) => {
      const field = jsonPath.replace(/^\$\./, '');
      return [name, field in body ? JSON.stringify(body[field]) : response.translationMapDefaults[name]];
    }),
  );
  return JSON.parse(response.successTemplate.replace(/\$\{(\w+)\}/g, (_m, name: string) => values[name]!));
}

describe('Genesys Data Action export', () => {
  it('writes the custom-rest-actions import format: contract, POST of ${input.rawRequest} to trunkgate, translation map', () => {
    const exported = genesysDataAction(action('update-incident'), { baseUrl: 'https://gw.example.com/', auth: 'basic' });
    expect(exported).toMatchObject({
      name: 'trunkgate update-incident',
      integrationType: 'custom-rest-actions',
      actionType: 'custom',
      secure: false,
      config: {
        request: {
          requestUrlTemplate: 'https://gw.example.com/v1/actions/update-incident',
          requestType: 'POST',
          requestTemplate: '${input.rawRequest}',
          headers: { 'Content-Type': 'application/json' },
        },
        timeoutSeconds: 12,
      },
      contract: {
        input: { inputSchema: { type: 'object', properties: { sys_id: { type: 'string' }, state: { type: 'string' } } } },
        output: { successSchema: { type: 'object' } },
      },
    });
    const input = (exported.contract as { input: { inputSchema: Record<string, unknown> } }).input.inputSchema;
    expect(JSON.stringify(input)).not.toMatch(/anyOf|oneOf|allOf|"type":\[/);
    expect(String(input.description)).toContain('Give at least one of: sys_id, number.');
  });

  it("with an org, the request goes to that org's route; the rest of the action is the same", () => {
    const plain = genesysDataAction(action('get-trunk'), { baseUrl: 'https://gw.example.com', auth: 'api-key' });
    const inOrg = genesysDataAction(action('get-trunk'), { baseUrl: 'https://gw.example.com/', auth: 'api-key', org: 'emea' });
    const url = (e: Record<string, unknown>) => (e.config as { request: { requestUrlTemplate: string } }).request.requestUrlTemplate;
    expect(url(plain)).toBe('https://gw.example.com/v1/actions/get-trunk');
    expect(url(inOrg)).toBe('https://gw.example.com/v1/orgs/emea/actions/get-trunk');
    const withoutUrl = (e: Record<string, unknown>) => JSON.stringify(e).replace(url(e), '');
    expect(withoutUrl(inOrg)).toBe(withoutUrl(plain));
  });

  it('--org is checked against the orgs of CONNECTIONS_FILE (names only, ${VAR} replaced), or default without it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trunkgate-export-orgs-'));
    try {
      const file = path.join(dir, 'connections.yaml');
      fs.writeFileSync(file, 'genesys:\n  - name: emea\n    clientSecret: ${UNSET_SECRET}\n  - name: ${APAC_NAME:-apac}\n');
      const env = { CONNECTIONS_FILE: file };
      expect(unknownOrgProblem('emea', env)).toBeUndefined();
      expect(unknownOrgProblem('apac', env)).toBeUndefined();
      expect(unknownOrgProblem('au', { ...env, APAC_NAME: 'au' })).toBeUndefined();
      expect(unknownOrgProblem('amer', env)).toBe(`--org "amer" is not configured; the orgs of CONNECTIONS_FILE (${file}): emea, apac`);
      expect(unknownOrgProblem('EMEA/x', env)).toMatch(/^--org "EMEA\/x" is not an org name; /);
      expect(unknownOrgProblem('default', {})).toBeUndefined();
      expect(unknownOrgProblem('emea', {})).toBe('--org "emea" is not configured; without CONNECTIONS_FILE the only org is default');
      expect(() => unknownOrgProblem('emea', { CONNECTIONS_FILE: path.join(dir, 'missing.yaml') })).toThrow(
        /^CONNECTIONS_FILE \(.*missing\.yaml\) cannot be read/,
      );
      fs.writeFileSync(file, 'genesys: [ {');
      expect(() => unknownOrgProblem('emea', env)).toThrow(/cannot be read/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('its response config turns trunkgate output into the same flat object; a field trunkgate leaves out falls back to its default', () => {
    const exported = genesysDataAction(action('get-trunk'), { baseUrl: 'https://gw.example.com', auth: 'basic' });
    const output = {
      id: 't1',
      name: 'NYC',
      state: 'rejected',
      healthy: false,
      connected: false,
      registered: false,
      signal: 'registration',
      errorCode: 403,
      errorText: '403 "Forbidden"',
    };
    expect(genesysResponse(exported, output)).toEqual(output);
    // Genesys applies translationMapDefaults to a missing field (never to a null): NOT_SET in Architect.
    const {
      errorCode: _c,
      errorText: _t,
      registered: _r,
      ...healthyCloud
    } = { ...output, state: 'connected', healthy: true, signal: 'options' };
    expect(genesysResponse(exported, healthyCloud)).toMatchObject({
      state: 'connected',
      errorCode: null,
      errorText: null,
      registered: null,
    });
  });

  it('sends the API key from the integration credentials when asked to', () => {
    const exported = genesysDataAction(action('get-incident'), { baseUrl: 'https://gw.example.com', auth: 'api-key' });
    expect((exported.config as { request: { headers: Record<string, string> } }).request.headers['X-API-Key']).toBe(
      '${credentials.apiKey}',
    );
  });
});
