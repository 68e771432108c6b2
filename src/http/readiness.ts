/** A dependency whose health decides /readyz (store, mappings, upstream tokens…). */
export interface ReadinessCheck {
  name: string;
  check(): Promise<{ ok: boolean; detail?: string }>;
}

const CHECK_TIMEOUT_MS = 2_000;

/** Runs every check in parallel, each bounded, and never throws. */
export async function runReadiness(checks: ReadinessCheck[]): Promise<{ ready: boolean; checks: Record<string, { ok: boolean; detail?: string }> }> {
  const results = await Promise.all(
    checks.map(async (c) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<{ ok: boolean; detail: string }>((resolve) => {
        timer = setTimeout(() => resolve({ ok: false, detail: `no answer within ${CHECK_TIMEOUT_MS} ms` }), CHECK_TIMEOUT_MS);
      });
      try {
        return [c.name, await Promise.race([c.check(), timeout])] as const;
      } catch (err) {
        return [c.name, { ok: false, detail: (err as Error).message }] as const;
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return { ready: results.every(([, r]) => r.ok), checks: Object.fromEntries(results) };
}
