// Benchmark participant: both simulators in one process; reports their URLs over IPC.
// BENCH_SIM_GENESYS (JSON) sets Genesys simulator options; {stats: true} answers the Genesys counters.
import { startSimulators } from '../../src/sim/start-simulators.js';

const genesys = { rateLimitPerMinute: 1_000_000, ...(JSON.parse(process.env.BENCH_SIM_GENESYS ?? '{}') as object) };
const sims = await startSimulators({ genesys });
process.on('message', (message: { stats?: boolean; resetStats?: boolean }) => {
  if (message.resetStats) sims.genesys.resetStats();
  process.send!({ genesys: sims.genesys.stats(), servicenow: sims.servicenow.stats() });
});
process.send!({ genesys: sims.genesys.url, servicenow: sims.servicenow.url });
process.on('SIGTERM', () => void sims.close().then(() => process.exit(0)));
