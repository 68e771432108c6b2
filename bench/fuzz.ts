// The hostile-input run (test/integration/hostile-input.test.ts) at length: BENCH_FUZZ_RUNS generated
// requests (default 20,000) against every /v1 endpoint and action, every answer and every request the
// simulators receive checked; FUZZ_SEED picks the seed. Reports throughput, statuses and every problem.
import { fuzzSeed, runHostileRequests, startFuzzRig } from '../test/support/hostile-run.js';

const RUNS = Number(process.env.BENCH_FUZZ_RUNS ?? 20_000);

export async function fuzzBench(): Promise<Record<string, unknown>> {
  const rig = await startFuzzRig();
  try {
    const started = performance.now();
    const report = await runHostileRequests(rig, { seed: fuzzSeed(), runs: RUNS });
    const totalMs = Math.round(performance.now() - started);
    // The list of problems can be long: the first 50 are kept, the count says how many there were.
    return {
      ...report,
      totalMs,
      problemCount: report.problems.length,
      problems: report.problems.slice(0, 50),
      pass: report.problems.length === 0,
    };
  } finally {
    await rig.close();
  }
}
