import fs from 'node:fs';
import { loadMappings, MappingError } from '../actions/mapping-loader.js';
import { MAPPING_TARGETS } from '../app/create-upstreams.js';
import type { Config } from '../config/config.js';
import { defaultIncidentMappingYaml } from '../incidents/default-incident-mapping.js';
import { IncidentMappingError, loadIncidentMapping } from '../incidents/incident-mapping.js';
import { count, fail, messageOf, pass, type Check } from './check.js';
import { once, shownPath } from './probe-parts.js';
import type { LoadedMapping } from './reference-fields.js';

/** Loads MAPPINGS_DIR/incident.yaml (or the built-in copy) once, as `npm start` does, with its text. */
export function incidentMappingLoader(config: Config, env: NodeJS.ProcessEnv): () => Promise<LoadedMapping> {
  return once(async () => {
    const { mapping, source } = loadIncidentMapping({ dir: config.mappingsDir, env });
    const text = source === 'built-in' ? defaultIncidentMappingYaml : fs.readFileSync(source, 'utf8');
    return { mapping, source: source === 'built-in' ? source : shownPath(source), text };
  });
}

/** action-mappings: every MAPPINGS_DIR/actions/*.yaml loads, as at start-up. */
export function actionMappingsCheck(config: Config): Check {
  return {
    name: 'action-mappings',
    run: async () => {
      try {
        const mappings = loadMappings(config.mappingsDir, { defaultTimeoutMs: config.actionTimeoutMs, targets: MAPPING_TARGETS });
        const names = mappings.map((m) => m.summary.name);
        return pass(
          `${count(names.length, 'action')} from ${shownPath(config.mappingsDir)}${names.length > 0 ? `: ${names.join(', ')}` : ' (no actions/ folder)'}`,
        );
      } catch (err) {
        if (!(err instanceof MappingError)) throw err;
        return fail(
          err.message,
          'correct each file named above (README "Data Actions"), or set MAPPINGS_DIR to the folder you meant; npm start refuses to run until then',
        );
      }
    },
  };
}

/** incident-mapping: MAPPINGS_DIR/incident.yaml loads with this environment, as at start-up. */
export function incidentMappingCheck(load: () => Promise<LoadedMapping>): Check {
  return {
    name: 'incident-mapping',
    run: async () => {
      try {
        const { source } = await load();
        return pass(source === 'built-in' ? 'the built-in incident mapping (MAPPINGS_DIR has no incident.yaml)' : `${source} loads`);
      } catch (err) {
        if (!(err instanceof IncidentMappingError)) return fail(messageOf(err), 'check that MAPPINGS_DIR/incident.yaml is a readable file');
        return fail(
          err.message,
          'correct the file as listed (README "Incident mapping"): set each environment variable it names, or give it a default (${NAME:-default})',
        );
      }
    },
  };
}
