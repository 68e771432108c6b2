import type { Server } from 'node:http';

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

/** Stops accepting connections and waits for the open ones: idle keep-alive ones close at once, the rest after `graceMs`. */
export async function closeServer(server: Server, graceMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // Keep-alive connections go idle as their last response ends: close each one as soon as it does.
  const sweep = setInterval(() => server.closeIdleConnections(), 50);
  const grace = setTimeout(() => server.closeAllConnections(), graceMs);
  await closed;
  clearInterval(sweep);
  clearTimeout(grace);
}
