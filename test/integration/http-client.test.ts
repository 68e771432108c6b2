import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpClient } from '../../src/net/http-client.js';

/** A raw HTTP server that answers or resets the n-th request on each connection as told. */
async function scriptedServer(onRequest: (connection: number, requestOnConnection: number, socket: net.Socket) => void) {
  let connections = 0;
  const open = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    const connection = ++connections;
    open.add(socket);
    socket.once('close', () => open.delete(socket));
    let n = 0;
    let buffered = '';
    socket.on('data', (d) => {
      buffered += d.toString();
      while (buffered.includes('\r\n\r\n')) {
        buffered = buffered.slice(buffered.indexOf('\r\n\r\n') + 4);
        onRequest(connection, ++n, socket);
      }
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  const close = () =>
    new Promise((r) => {
      server.close(r);
      // The client's keep-alive agent holds its sockets open; server.close alone would wait for them.
      for (const socket of open) socket.destroy();
    });
  return { url, connections: () => connections, close };
}

const ok = (socket: net.Socket) =>
  socket.write('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\nConnection: keep-alive\r\n\r\n{"ok":true}');

describe('createHttpClient (the one axios factory)', () => {
  let close: (() => Promise<unknown>) | undefined;
  afterEach(async () => close?.());

  it('retries once when a reused keep-alive socket is reset before answering', async () => {
    const server = await scriptedServer((connection, n, socket) => {
      if (connection === 1 && n === 2) socket.resetAndDestroy();
      else ok(socket);
    });
    close = server.close;
    const http = createHttpClient({ baseURL: server.url, timeoutMs: 2_000, maxSockets: 1 });
    expect((await http.post('/x', { a: 1 })).status).toBe(200);
    expect((await http.post('/x', { a: 2 })).status).toBe(200);
    expect(server.connections()).toBe(2);
  });

  it('does not retry a reset on a fresh connection', async () => {
    const server = await scriptedServer((_c, _n, socket) => socket.resetAndDestroy());
    close = server.close;
    const http = createHttpClient({ baseURL: server.url, timeoutMs: 2_000 });
    await expect(http.get('/x')).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(server.connections()).toBe(1);
  });

  it('never follows redirects and hands every status back', async () => {
    const server = await scriptedServer((_c, _n, socket) =>
      socket.end('HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:9/elsewhere\r\nContent-Length: 0\r\n\r\n'),
    );
    close = server.close;
    const res = await createHttpClient({ baseURL: server.url, timeoutMs: 2_000 }).get('/x');
    expect(res.status).toBe(302);
  });
});
