import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fuzzSeed, startFuzzRig, type FuzzRig } from '../support/hostile-run.js';

/**
 * Hostile input against every /v1 endpoint and action, generated from trunkgate's own OpenAPI document
 * (wrong types, missing and extra members, strings at and over their limits in multi-byte UTF-8, bodies
 * around MAX_PAYLOAD_BYTES, nesting past 50, prototype keys, NUL, lone surrogates, CR/LF, encoded-query
 * operators in every value that reaches a query, traversal and bad escapes in names and ids, mangled
 * credentials). Every answer must be below 500, in the error contract with a code that matches its
 * status, and free of secrets; every request the simulators receive must carry no condition the caller
 * made, no CR/LF in a header and no traversal in its path. Seeded: FUZZ_SEED replays a run,
 * FUZZ_RUNS changes its length (`npm run bench -- fuzz` runs it at length).
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 2_000);

describe('hostile input (property-based, from the OpenAPI document)', () => {
  let rig: FuzzRig;
  const seed = fuzzSeed();

  beforeAll(async () => {
    rig = await startFuzzRig();
  });
  afterAll(async () => {
    await rig?.close();
  });

  it(`${RUNS} generated requests: no 5xx, the error contract, no secret, nothing widened upstream (seed ${seed})`, async () => {
    const statuses = new Set<number>();
    const property = fc.asyncProperty(rig.arbitrary, async (req) => {
      const { status, problems } = await rig.exchange(req);
      if (status !== null) statuses.add(status);
      if (problems.length > 0) throw new Error(problems.join('\n'));
    });
    const result = await fc.check(property, { seed, numRuns: RUNS });
    // What was wrong with the shrunk request, then fast-check's report (seed, path); FUZZ_SEED=<seed> replays it.
    const why = result.failed
      ? `FUZZ_SEED=${seed}\n${(result.errorInstance as Error | undefined)?.message ?? ''}\n${fc.defaultReportMessage(result)}`
      : '';
    expect(result.failed, why).toBe(false);
    // The run reached past the front door: validation, authentication, lookups and upstream calls all answered.
    expect([...statuses].sort()).toEqual(expect.arrayContaining([200, 400, 401, 403, 404, 413, 415, 429]));
    expect(rig.upstream.filter((r) => r.upstream === 'servicenow' && r.method === 'PATCH').length).toBeGreaterThan(0);
    expect(rig.upstream.filter((r) => r.upstream === 'genesys' && /\/trunks\/[0-9a-f-]{36}$/.test(r.path)).length).toBeGreaterThan(0);
  }, 120_000);

  it('after the run: every upstream request clean (the relay included, once its outbox is empty), no secret and no error in the log', async () => {
    expect(await rig.finish(), `FUZZ_SEED=${seed}`).toEqual([]);
    // Hostile events opened incidents, so the relay's own lookups went through the same checks.
    expect(rig.upstream.some((r) => new URLSearchParams(r.query).get('sysparm_query')?.startsWith('correlation_id=trunkgate:'))).toBe(true);
  }, 60_000);
});
