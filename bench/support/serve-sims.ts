// Benchmark participant: both simulators in one process; reports their URLs over IPC.
import { startSimulators } from '../../src/sim/start-simulators.js';

const sims = await startSimulators({ genesys: { rateLimitPerMinute: 1_000_000 } });
process.send!({ genesys: sims.genesys.url, servicenow: sims.servicenow.url });
process.on('SIGTERM', () => void sims.close().then(() => process.exit(0)));
