/** Something that can be closed gracefully on SIGTERM/SIGINT. */
export interface Closable {
  close(): Promise<void>;
}

/** Wires SIGTERM/SIGINT to a graceful close (stop accepting, drain, flush), then exits 0. */
export function closeOnSignals(target: Closable, log: (message: string, meta?: Record<string, unknown>) => void): void {
  let closing = false;
  const stop = (signal: string) => {
    if (closing) return;
    closing = true;
    log('shutting down', { signal });
    target
      .close()
      .then(() => {
        log('stopped', { signal });
        process.exit(0);
      })
      .catch((err: unknown) => {
        log('shutdown failed', { err });
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
