// `npm run bench [-- name ...]`: runs the named benchmarks (all by default), prints their figures
// and writes each as JSON under bench/results/.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { auditBench } from './audit.js';
import { monitorBench } from './monitor.js';
import { consoleBench } from './console.js';
import { clusterRotationBench } from './cluster-rotation.js';
import { failoverBench } from './failover.js';
import { fuzzBench } from './fuzz.js';
import { overheadBench } from './overhead.js';
import { incidentsBench } from './incidents.js';
import { limitsBench } from './limits.js';
import { orgsBench } from './orgs.js';
import { rotationBench } from './rotation.js';

const benches: Record<string, () => Promise<Record<string, unknown>>> = {
  rotation: rotationBench,
  monitor: monitorBench,
  failover: failoverBench,
  'cluster-rotation': clusterRotationBench,
  overhead: overheadBench,
  incidents: incidentsBench,
  limits: limitsBench,
  fuzz: fuzzBench,
  orgs: orgsBench,
  audit: auditBench,
  console: consoleBench,
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const unknown = wanted.filter((w) => !(w in benches));
if (unknown.length > 0) {
  process.stderr.write(`unknown benchmark(s): ${unknown.join(', ')}; known: ${Object.keys(benches).join(', ')}\n`);
  process.exit(2);
}
const outDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results');
fs.mkdirSync(outDir, { recursive: true });
for (const name of wanted.length > 0 ? wanted : Object.keys(benches)) {
  process.stdout.write(`\n== ${name}\n`);
  const result = { name, at: new Date().toISOString(), node: process.version, ...(await benches[name]!()) };
  fs.writeFileSync(path.join(outDir, `${name}.json`), `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
process.exit(0);
