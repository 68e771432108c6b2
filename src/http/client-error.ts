import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { Duplex } from 'node:stream';
import { ValidationError } from '../errors/app-error.js';
import type { Logger } from '../log/logger.js';
import { errorBody } from './error-handler.js';
import type { HttpMetrics } from './http-metrics.js';

/** How long a refused connection may stay half-closed (our answer sent) before it is cut. */
const LINGER_MS = 2_000;

const CONFLICT = 'The request has both Content-Length and Transfer-Encoding; send one';

/** Why Node's parser (llhttp) refused a request, in words; the reason is the parser's own code. */
function describe(err: NodeJS.ErrnoException & { reason?: string }): string {
  // llhttp reports Content-Length beside Transfer-Encoding under the code of whichever header came second.
  if (/can't be present with/.test(err.reason ?? '')) return CONFLICT;
  switch (err.code) {
    case 'HPE_HEADER_OVERFLOW':
      return `The request line and headers are larger than ${http.maxHeaderSize} bytes`;
    case 'HPE_UNEXPECTED_CONTENT_LENGTH':
    case 'HPE_INVALID_CONTENT_LENGTH':
      return 'The Content-Length header is not one whole number, or is given more than once';
    case 'HPE_INVALID_TRANSFER_ENCODING':
      return 'The Transfer-Encoding header is not accepted: chunked must come last';
    case 'HPE_INVALID_CHUNK_SIZE':
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return 'The chunked request body is malformed';
    case 'HPE_INVALID_METHOD':
    case 'HPE_INVALID_URL':
    case 'HPE_INVALID_VERSION':
    case 'HPE_INVALID_CONSTANT':
      return 'The request line is not valid HTTP/1.1';
    case 'HPE_INVALID_HEADER_TOKEN':
    case 'HPE_LF_EXPECTED':
    case 'HPE_CR_EXPECTED':
      return 'A request header is malformed (a name with invalid characters, or a value holding a control character or line break)';
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return 'The request did not arrive completely in time';
    default:
      return 'The request is not valid HTTP/1.1';
  }
}

/** The in-flight response on a keep-alive socket, if Node has one there (its header may already be out). */
function inFlight(socket: Duplex): http.ServerResponse | undefined {
  return (socket as Duplex & { _httpMessage?: http.ServerResponse })._httpMessage ?? undefined;
}

/**
 * The server's `clientError` listener: what Node's HTTP parser refuses never reaches express (a bad
 * chunk size, Content-Length with Transfer-Encoding, headers over the limit, a broken request line or
 * header, a request that does not arrive in time). Node's own answer is a bare 400/408/413/431; this one
 * is `400 validation_failed` in the error contract (whose codes map to one status each, and have no
 * 408 or 431), with an `X-Request-Id` and `Connection: close`, after which the connection is closed.
 * Nothing of what the client sent is echoed or logged: the refused bytes may hold its credentials.
 */
export function clientErrorHandler(deps: { logger: Logger; metrics: HttpMetrics }) {
  const log = deps.logger.child({ module: 'http/client-error' });
  return (err: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Duplex): void => {
    // The client went away (or the socket already failed): nobody is left to answer.
    if (err.code === 'ECONNRESET' || err.code === 'EPIPE' || !socket.writable) {
      socket.destroy();
      return;
    }
    const pending = inFlight(socket);
    // A response already under way cannot be interrupted by another one without corrupting it.
    if (pending?.headersSent) {
      socket.destroy();
      return;
    }
    // A request whose headers were read (the body then failed) keeps its id: its access line says the same.
    const known = pending?.getHeader('X-Request-Id');
    const requestId = typeof known === 'string' ? known : randomUUID();
    const refusal = new ValidationError(describe(err), [
      { message: 'refused by the HTTP parser before routing', reason: err.code ?? 'unknown' },
    ]);
    const body = JSON.stringify(errorBody(refusal, requestId));
    log.info(refusal.message, { code: refusal.code, reason: err.code, requestId });
    // An in-flight request's access line and histogram entry record the status it was answered with;
    // a request the parser refused outright has neither, so it is counted here.
    if (pending) pending.statusCode = refusal.status;
    else deps.metrics.observe('OTHER', 'unparsed', refusal.status, 0);
    const timer = setTimeout(() => socket.destroy(), LINGER_MS);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
    // The answer to a HEAD has headers only: a body after them would be read as the start of a next response.
    const head = pending ? pending.req?.method === 'HEAD' : err.rawPacket?.subarray(0, 5).toString('latin1') === 'HEAD ';
    socket.end(
      `HTTP/1.1 ${refusal.status} ${http.STATUS_CODES[refusal.status]}\r\n` +
        'Content-Type: application/json; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        `X-Request-Id: ${requestId}\r\n` +
        'Connection: close\r\n\r\n' +
        (head ? '' : body),
    );
  };
}
