import http from 'node:http';
import net from 'node:net';
import type { Readable } from 'node:stream';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: () => any;
}

/** A plain node:http request: bodies go out byte for byte (Buffer) or streamed chunked (Readable). */
/** Keep-alive, like undici and Node's default agent since v19. */
const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 8 });

export function rawRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: Buffer | string | Readable; agent?: http.Agent | false } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: options.method ?? 'POST', headers: options.headers, agent: options.agent ?? keepAlive },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    const body = options.body;
    if (body === undefined) req.end();
    else if (typeof body === 'string' || Buffer.isBuffer(body)) req.end(body);
    else {
      body.on('error', () => req.destroy());
      // A refused upload may be cut off while we are still writing: the answer is what matters.
      req.on('error', () => undefined);
      body.pipe(req);
    }
  });
}

export interface RawExchange {
  /** Everything the server wrote before it closed the connection. */
  raw: string;
  status: number;
  headers: Record<string, string>;
  body: string;
  /** True when the server closed the connection (within the wait). */
  closed: boolean;
}

/**
 * Writes `bytes` as they are on a fresh TCP connection (no HTTP client in between, so malformed
 * requests go out unchanged) and reads until the server closes it or `waitMs` passes.
 */
export function rawExchange(url: string, bytes: string | Buffer | Array<string | Buffer>, waitMs = 3_000): Promise<RawExchange> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    let closed = false;
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      const raw = Buffer.concat(chunks).toString('utf8');
      const split = raw.indexOf('\r\n\r\n');
      const head = split >= 0 ? raw.slice(0, split).split('\r\n') : [];
      const headers: Record<string, string> = {};
      for (const line of head.slice(1)) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({
        raw,
        status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head[0] ?? '')?.[1] ?? 0),
        headers,
        body: split >= 0 ? raw.slice(split + 4) : '',
        closed,
      });
    };
    const timer = setTimeout(finish, waitMs);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('close', () => {
      closed = true;
      finish();
    });
    // A server that closes while we still write resets the connection: what it answered is still read.
    socket.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNRESET' || err.code === 'EPIPE' ? undefined : reject(err)));
    socket.on('connect', () => {
      for (const part of Array.isArray(bytes) ? bytes : [bytes]) socket.write(part);
    });
  });
}
