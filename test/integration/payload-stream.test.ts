import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { residentBytes, startProcess, type AppProcess } from '../support/app-process.js';
import { rawRequest } from '../support/raw-http.js';
import { testEnv, TEST_API_KEY } from '../support/test-config.js';

/** A lazily generated chunked body: nothing is held in memory on the sending side either. */
function chunkedJson(totalBytes: number, chunkBytes = 16 * 1024): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= totalBytes) return this.push(null);
      const chunk = sent === 0 ? `{"pad":"${'x'.repeat(chunkBytes - 8)}` : 'x'.repeat(Math.min(chunkBytes, totalBytes - sent));
      sent += chunk.length;
      this.push(chunk);
    },
  });
}

describe('payload gate on a real process', () => {
  let proc: AppProcess;
  const headers = { Authorization: `Bearer ${TEST_API_KEY}`, 'Content-Type': 'application/json' };

  beforeAll(async () => {
    proc = await startProcess('test/support/serve-app.ts', testEnv({ LOG_LEVEL: 'warn' }));
  });
  afterAll(() => {
    proc.child.kill('SIGKILL');
  });

  it('refuses a chunked 1 MB body while streaming, with "more than" the limit', async () => {
    const res = await rawRequest(`${proc.url}/v1/actions/echo`, { headers, body: chunkedJson(1024 * 1024) });
    expect(res.status).toBe(413);
    expect(res.json().error.code).toBe('payload_too_large');
    expect(res.json().error.message).toContain('more than 10240 bytes');
  });

  it('answers a client that asked to close the connection before cutting it', async () => {
    const res = await rawRequest(`${proc.url}/v1/actions/echo`, {
      headers: { ...headers, Connection: 'close' },
      body: chunkedJson(1024 * 1024),
      agent: false,
    });
    expect(res.status).toBe(413);
  });

  it('refuses from Content-Length before reading the body', async () => {
    const res = await rawRequest(`${proc.url}/v1/actions/echo`, {
      headers: { ...headers, 'Content-Length': String(5 * 1024 * 1024) },
      body: Buffer.alloc(64 * 1024, 0x20),
      agent: false,
    });
    expect(res.status).toBe(413);
    expect(res.json().error.message).toContain('received 5242880 bytes');
  });

  it('does not grow by more than a few MB while refusing 200 MB of chunked uploads', async () => {
    // Warm-up first: the heap settles at its working size after a few dozen requests (measured: +40 MB
    // over the first 60 refusals, then flat), and RSS never shrinks back, so only growth after that counts.
    for (let i = 0; i < 60; i += 1) await rawRequest(`${proc.url}/v1/actions/echo`, { headers, body: chunkedJson(1024 * 1024) });
    const before = await residentBytes(proc.url);
    for (let i = 0; i < 20; i += 1) {
      const res = await rawRequest(`${proc.url}/v1/actions/echo`, { headers, body: chunkedJson(10 * 1024 * 1024) });
      expect(res.status).toBe(413);
    }
    const after = await residentBytes(proc.url);
    // Buffering even one of these 10 MB bodies whole would grow RSS by 20 MB or more (the 10 MB of bytes
    // plus their decoded string); GC timing alone has been seen to add up to 11.4 MB (Node 24, 2 cores).
    expect(after - before).toBeLessThan(16 * 1024 * 1024);
  });

  it('still answers normal requests afterwards', async () => {
    const res = await rawRequest(`${proc.url}/v1/actions/echo`, { headers, body: '{"ok":true}' });
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ received: { ok: true } });
  });
});

describe('graceful shutdown on SIGTERM', () => {
  it('finishes in-flight requests, refuses new connections and exits 0', async () => {
    const proc = await startProcess('test/support/serve-app.ts', testEnv({ LOG_LEVEL: 'info', TEST_SLOW_MS: '800' }));
    const headers = { Authorization: `Bearer ${TEST_API_KEY}`, 'Content-Type': 'application/json' };
    const inflight = rawRequest(`${proc.url}/v1/actions/slow`, { headers, body: '{"n":1}' });
    await new Promise((r) => setTimeout(r, 200));
    proc.child.kill('SIGTERM');
    const res = await inflight;
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ received: { n: 1 } });
    expect(await proc.exited).toBe(0);
    await expect(rawRequest(`${proc.url}/healthz`, { method: 'GET' })).rejects.toThrow(/ECONNREFUSED/);
    expect(proc.output()).toContain('"signal":"SIGTERM"');
  });
});
