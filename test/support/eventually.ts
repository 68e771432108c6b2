/**
 * Waits until `check` passes (returns without throwing), polling every `intervalMs`; throws its last
 * error after `timeoutMs`. For waiting on asynchronous delivery, never for timing assertions.
 */
export async function eventually<T>(check: () => T | Promise<T>, options: { timeoutMs?: number; intervalMs?: number } = {}): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 50));
  }
}
