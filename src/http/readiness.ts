import type { ReadinessCheck } from '../meta/readiness-check.js';
import type { ReadyResponse } from './schemas.js';

/** One check's outcome as /readyz shows it. */
export type CheckResult = ReadyResponse['checks'][string];

const CHECK_TIMEOUT_MS = 2_000;

/** Runs every check in parallel, each bounded, and never throws. Ready when every check that is not advisory passes. */
export async function runReadiness(checks: ReadinessCheck[]): Promise<{ ready: boolean; checks: Record<string, CheckResult> }> {
  const results = await Promise.all(
    checks.map(async (c) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<{ ok: boolean; detail: string }>((resolve) => {
        timer = setTimeout(() => resolve({ ok: false, detail: `no answer within ${CHECK_TIMEOUT_MS} ms` }), CHECK_TIMEOUT_MS);
      });
      let result: CheckResult;
      try {
        result = await Promise.race([c.check(), timeout]);
      } catch (err) {
        result = { ok: false, detail: (err as Error).message };
      } finally {
        clearTimeout(timer);
      }
      return [c, c.advisory ? { ...result, advisory: true as const } : result] as const;
    }),
  );
  return {
    ready: results.every(([c, r]) => r.ok || c.advisory === true),
    checks: Object.fromEntries(results.map(([c, r]) => [c.name, r])),
  };
}
