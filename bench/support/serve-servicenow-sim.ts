// The ServiceNow simulator in its own process (as the real instance would be), for benchmarks.
// Prints one JSON line {"url": ...} once listening; stops on SIGTERM.
import { startServiceNowSim } from '../../src/sim/servicenow/index.js';

const sim = await startServiceNowSim();
process.on('SIGTERM', () => void sim.close().then(() => process.exit(0)));
process.stdout.write(`${JSON.stringify({ url: sim.url })}\n`);
