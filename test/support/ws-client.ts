import WebSocket from 'ws';

/** A test's view of one notification socket: every frame kept, waits resolved by arrival, never by time. */
export interface TestSocket {
  readonly ws: WebSocket;
  readonly frames: Array<Record<string, unknown>>;
  /** Resolves with the first frame (already received or still to come) after index `from` that matches. */
  next(match: (frame: Record<string, unknown>) => boolean, from?: number): Promise<Record<string, unknown>>;
  send(message: unknown): void;
  /** Resolves with the close code once the socket is closed. */
  readonly closed: Promise<number>;
  close(): void;
}

/** Opens a websocket and resolves once it is open (rejects on a refused upgrade). */
export function openTestSocket(uri: string): Promise<TestSocket> {
  const ws = new WebSocket(uri);
  const frames: Array<Record<string, unknown>> = [];
  const waiters: Array<{ from: number; match: (f: Record<string, unknown>) => boolean; resolve: (f: Record<string, unknown>) => void }> =
    [];
  ws.on('message', (data) => {
    frames.push(JSON.parse(String(data)) as Record<string, unknown>);
    for (const w of [...waiters]) {
      const found = frames.slice(w.from).find(w.match);
      if (found) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(found);
      }
    }
  });
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    ws.once('error', reject);
    ws.once('open', () => {
      ws.off('error', reject);
      ws.on('error', () => undefined);
      resolve({
        ws,
        frames,
        closed,
        next: (match, from = 0) => {
          const found = frames.slice(from).find(match);
          return found ? Promise.resolve(found) : new Promise((r) => waiters.push({ from, match, resolve: r }));
        },
        send: (message) => ws.send(JSON.stringify(message)),
        close: () => ws.close(),
      });
    });
  });
}

export const isHeartbeat = (f: Record<string, unknown>) =>
  f.topicName === 'channel.metadata' && (f.eventBody as { message?: string })?.message === 'WebSocket Heartbeat';
export const isPong = (f: Record<string, unknown>) =>
  f.topicName === 'channel.metadata' && (f.eventBody as { message?: string })?.message === 'pong';
