import { Duplex } from 'node:stream';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { clientErrorHandler } from '../../src/http/client-error.js';
import { HttpMetrics } from '../../src/http/http-metrics.js';
import { memoryLogger } from '../support/test-config.js';

/** A socket that records what is written to it and whether it was destroyed. */
function fakeSocket(inFlight?: { headersSent: boolean; statusCode: number; getHeader: (name: string) => unknown }) {
  const written: string[] = [];
  const socket = new Duplex({
    read() {},
    write(chunk: Buffer, _enc, cb) {
      written.push(chunk.toString('utf8'));
      cb();
    },
  });
  Object.assign(socket, { _httpMessage: inFlight });
  return { socket, written: () => written.join('') };
}

const parserError = (code: string) => Object.assign(new Error(`Parse Error: ${code}`), { code });

describe('clientErrorHandler', () => {
  const handler = () => clientErrorHandler({ logger: memoryLogger().logger, metrics: new HttpMetrics(new Registry()) });

  it('answers a request that did not arrive in time with 400 validation_failed and closes', () => {
    const { socket, written } = fakeSocket();
    handler()(parserError('ERR_HTTP_REQUEST_TIMEOUT'), socket);
    expect(written()).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(written()).toContain('Connection: close\r\n');
    expect(JSON.parse(written().split('\r\n\r\n')[1]!).error).toMatchObject({
      code: 'validation_failed',
      message: 'The request did not arrive completely in time',
    });
    expect(socket.writableEnded).toBe(true);
  });

  it('answers on behalf of a routed request whose body failed, with its request id and status', () => {
    const inFlight = {
      headersSent: false,
      statusCode: 200,
      getHeader: (name: string) => (name === 'X-Request-Id' ? 'routed-1' : undefined),
    };
    const { socket, written } = fakeSocket(inFlight);
    handler()(parserError('HPE_INVALID_CHUNK_SIZE'), socket);
    expect(written()).toContain('X-Request-Id: routed-1\r\n');
    expect(inFlight.statusCode).toBe(400);
  });

  it('writes nothing into a response already under way, and nothing to a client that went away', () => {
    for (const [inFlight, code] of [
      [{ headersSent: true, statusCode: 200, getHeader: () => 'x' }, 'HPE_INVALID_CHUNK_SIZE'],
      [undefined, 'ECONNRESET'],
    ] as const) {
      const { socket, written } = fakeSocket(inFlight);
      handler()(parserError(code), socket);
      expect(written()).toBe('');
      expect(socket.destroyed).toBe(true);
    }
  });
});
