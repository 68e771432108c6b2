import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A started HTTP server that can stop listening (and drop its connections) and start again on the same port. */
export interface RunningServer {
  readonly server: http.Server;
  /** Base URL, e.g. http://127.0.0.1:43123 (no trailing slash). */
  readonly url: string;
  readonly port: number;
  /** True while the port accepts connections. */
  readonly listening: boolean;
  /** Stops accepting and destroys open sockets: clients then see ECONNREFUSED / ECONNRESET. */
  stopListening(): Promise<void>;
  /** Listens again on the same port after stopListening(). */
  resumeListening(): Promise<void>;
  close(): Promise<void>;
}

/** Starts `handler` on host:port (port 0 = any free port) and tracks sockets so it can be cut off on demand. */
export async function listen(handler: http.RequestListener, options: { port?: number; host?: string } = {}): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const server = http.createServer(handler);
  server.keepAliveTimeout = 5_000;
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  const start = (port: number) =>
    new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      server.once('error', onError);
      server.listen(port, host, () => {
        server.off('error', onError);
        resolve();
      });
    });

  await start(options.port ?? 0);
  const port = (server.address() as AddressInfo).port;
  const displayHost = host.includes(':') ? `[${host}]` : host;
  const url = `http://${displayHost}:${port}`;

  const stop = () =>
    new Promise<void>((resolve) => {
      if (!server.listening) return resolve();
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
    });

  return {
    server,
    url,
    port,
    get listening() {
      return server.listening;
    },
    stopListening: stop,
    resumeListening: async () => {
      if (!server.listening) await start(port);
    },
    close: stop,
  };
}
