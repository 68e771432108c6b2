// `npm run export-data-actions -- --base-url https://gw.example.com --out dir [--mappings ./mappings] [--auth basic|api-key] [--org <name>]`
// Writes one Genesys Cloud Data Action (custom-rest-actions import format) per loaded action; with
// --org, each calls that org's route (/v1/orgs/<org>/actions/<name>) instead of the default org's.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { genesysDataAction, type ExportAuth } from '../actions/genesys-export.js';
import { unknownOrgProblem } from '../config/connection-names.js';
import { loadMappings, MappingError } from '../actions/mapping-loader.js';
import { MAPPING_TARGETS } from '../app/create-upstreams.js';

function fail(message: string, code = 2): never {
  process.stderr.write(`export-data-actions: ${message}\n`);
  process.exit(code);
}

const usage =
  'usage: npm run export-data-actions -- --base-url https://trunkgate.example.com --out <dir> [--mappings <dir>] [--auth basic|api-key] [--org <name>]';
let values: Record<string, string | undefined>;
try {
  ({ values } = parseArgs({
    options: {
      'base-url': { type: 'string' },
      out: { type: 'string' },
      mappings: { type: 'string' },
      auth: { type: 'string' },
      org: { type: 'string' },
    },
    strict: true,
  }) as { values: Record<string, string | undefined> });
} catch (err) {
  fail(`${(err as Error).message}\n${usage}`);
}
const baseUrl = values['base-url'];
const out = values.out;
if (!baseUrl || !out) fail(`--base-url and --out are required\n${usage}`);
let parsed: URL;
try {
  parsed = new URL(baseUrl);
} catch {
  fail(`--base-url "${baseUrl}" is not a URL`);
}
if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') fail('--base-url must be an https URL');
if (parsed.protocol === 'http:')
  process.stderr.write('export-data-actions: warning: Genesys Cloud calls trunkgate over the internet; use https\n');
const auth = (values.auth ?? 'basic') as ExportAuth;
if (auth !== 'basic' && auth !== 'api-key') fail(`--auth must be basic or api-key (got "${values.auth}")`);

const org = values.org;
if (org !== undefined) {
  let problem: string | undefined;
  try {
    problem = unknownOrgProblem(org, process.env);
  } catch (err) {
    fail((err as Error).message, 78);
  }
  if (problem) fail(problem);
}

let mappings;
try {
  mappings = loadMappings(path.resolve(values.mappings ?? process.env.MAPPINGS_DIR ?? './mappings'), {
    defaultTimeoutMs: Number(process.env.ACTION_TIMEOUT_MS ?? 10_000),
    targets: MAPPING_TARGETS,
  });
} catch (err) {
  if (err instanceof MappingError) fail(err.message, 78);
  throw err;
}
fs.mkdirSync(out, { recursive: true });
for (const m of mappings) {
  const file = path.join(out, `${m.summary.name}.json`);
  fs.writeFileSync(
    file,
    `${JSON.stringify(genesysDataAction(m.summary, { baseUrl: parsed.toString().replace(/\/+$/, ''), auth, ...(org ? { org } : {}) }), null, 2)}\n`,
  );
  process.stdout.write(`${file}\n`);
}
process.stdout.write(
  `${mappings.length} Data Actions written${org ? ` for org ${org}` : ''}; import each in Genesys Cloud (Admin > Integrations > Actions > Import) under a Web Services Data Actions integration whose credentials trunkgate accepts.\n`,
);
