import http from 'node:http';
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

export function rawRequest(url: string, options: { method?: string; headers?: Record<string, string>; body?: Buffer | string | Readable; agent?: http.Agent | false } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? 'POST', headers: options.headers, agent: options.agent ?? keepAlive }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) });
      });
      res.on('error', reject);
    });
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
