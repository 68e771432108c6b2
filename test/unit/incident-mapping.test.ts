import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultIncidentMappingYaml } from '../../src/incidents/default-incident-mapping.js';
import { IncidentMappingError, loadIncidentMapping, parseIncidentMapping } from '../../src/incidents/incident-mapping.js';
import { factNames, type IncidentFacts } from '../../src/incidents/incident-facts.js';

const facts = Object.fromEntries(factNames.map((n) => [n, `<${n}>`])) as IncidentFacts;
const minimal = (extra = '') => `
kinds:
  registration_rejected: { short_description: "r {{trunkName}}", description: "d {{sipAnswer}}" }
  registration_dropped: { short_description: "x", description: "y" }
  credentials_failed: { short_description: "x", description: "y" }
resolve: { close_code: "Solution provided", close_notes: "ok {{lasted}}" }
${extra}`;

function problems(text: string, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    parseIncidentMapping(text, env, 'incident.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(IncidentMappingError);
    return (err as IncidentMappingError).problems;
  }
  throw new Error('expected the mapping to be refused');
}

describe('incident mapping (mappings/incident.yaml)', () => {
  it('ships the same text as the built-in mapping, and it is valid', () => {
    const shipped = fs.readFileSync(new URL('../../mappings/incident.yaml', import.meta.url), 'utf8');
    expect(shipped).toBe(defaultIncidentMappingYaml);
    const m = parseIncidentMapping(shipped, {}, 'mappings/incident.yaml');
    expect(m.createFields('registration_rejected', facts)).toEqual({
      urgency: '2',
      impact: '2',
      category: 'network',
      contact_type: 'monitoring',
      short_description: '<subjectName>: <problem> (<sipAnswer>)',
      description: expect.stringContaining('Genesys token: <rotationHint>'),
    });
    expect(m.resolveFields(facts)).toEqual({ close_code: 'Solution provided', close_notes: expect.stringContaining('lasted <lasted>') });
  });

  it('interpolates ${NAME} and ${NAME:-default} from the environment and leaves out fields that end up empty', () => {
    const m = parseIncidentMapping(
      defaultIncidentMappingYaml,
      { INCIDENT_ASSIGNMENT_GROUP: 'Network Ops', INCIDENT_URGENCY: '1', INCIDENT_CLOSE_CODE: 'Workaround provided' },
      'f',
    );
    const fields = m.createFields('registration_dropped', facts);
    expect(fields).toMatchObject({ assignment_group: 'Network Ops', urgency: '1' });
    expect(fields).not.toHaveProperty('caller_id');
    expect(m.resolveFields(facts).close_code).toBe('Workaround provided');
    expect(m.createFields('credentials_failed', facts).urgency).toBe('1');
  });

  it('names an environment variable that is unset and has no default', () => {
    expect(problems(minimal('fields: { assignment_group: "${TEAM}" }'))).toEqual([
      '/fields/assignment_group: environment variable TEAM is not set (write ${TEAM:-default} to allow that)',
    ]);
  });

  it('names each structural problem with its path', () => {
    const bad = `
kinds:
  registration_rejected: { short_description: "x", description: "y", colour: red }
  registration_dropped: { short_description: "x" }
resolve: { close_code: "c", close_notes: 3 }
extra: true`;
    expect(problems(bad)).toEqual(
      expect.arrayContaining([
        '/extra: is not an accepted field',
        '/kinds/credentials_failed: is required',
        '/kinds/registration_rejected/colour: is not an accepted field',
        '/kinds/registration_dropped/description: is required',
        '/resolve/close_notes: must be string',
      ]),
    );
  });

  it('refuses an unknown placeholder and a field trunkgate sets itself', () => {
    expect(problems(minimal('fields: { correlation_id: "x", state: 2 }').replace('{{trunkName}}', '{{trunkNmae}}'))).toEqual([
      '/fields/correlation_id: trunkgate sets correlation_id itself; remove it from the mapping',
      '/fields/state: trunkgate sets state itself; remove it from the mapping',
      expect.stringMatching(
        /^\/kinds\/registration_rejected\/short_description: unknown placeholder \{\{trunkNmae\}\} \(known: subjectName, /,
      ),
    ]);
  });

  it('reports YAML syntax errors', () => {
    expect(problems('kinds: [unclosed')[0]).toMatch(/./);
  });

  it('loads MAPPINGS_DIR/incident.yaml, falls back to the built-in one when absent, and names the file when broken', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trunkgate-mapping-'));
    try {
      expect(loadIncidentMapping({ dir, env: {} }).source).toBe('built-in');
      fs.writeFileSync(path.join(dir, 'incident.yaml'), minimal());
      const loaded = loadIncidentMapping({ dir, env: {} });
      expect(loaded.source).toBe(path.join(dir, 'incident.yaml'));
      expect(loaded.mapping.createFields('registration_rejected', facts)).toEqual({
        short_description: 'r <trunkName>',
        description: 'd <sipAnswer>',
      });
      fs.writeFileSync(path.join(dir, 'incident.yaml'), 'kinds: {}\nresolve: {}\n');
      expect(() => loadIncidentMapping({ dir, env: {} })).toThrow(`${path.join(dir, 'incident.yaml')} is not a valid incident mapping`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
