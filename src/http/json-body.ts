import type { IncomingMessage } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import contentType from 'content-type';
import getRawBody from 'raw-body';
import * as jsonc from 'jsonc-parser';
import sjson from 'secure-json-parse';
import { InvalidJsonError, PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError, type AppError } from '../errors/app-error.js';

/** Genesys Data Actions allow JSON nested at most 50 deep (unconfirmed: docs/genesys-cloud.md, 'Data Actions'); we refuse deeper input. */
export const MAX_JSON_DEPTH = 50;

/**
 * After refusing an upload we discard (never buffer) what the client is still sending, so it can read
 * our answer; past these caps the socket is cut instead.
 */
const DISCARD_MAX_BYTES = 16 * 1024 * 1024;
const DISCARD_MAX_MS = 5_000;

function hasBody(req: IncomingMessage): boolean {
  return (
    req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0')
  );
}

function mediaType(req: IncomingMessage): { charset: string } {
  const header = req.headers['content-type'];
  if (!header) throw new UnsupportedMediaTypeError('Content-Type must be application/json');
  let parsed: contentType.ParsedMediaType;
  try {
    parsed = contentType.parse(header);
  } catch {
    throw new UnsupportedMediaTypeError(`Content-Type "${header.slice(0, 100)}" is not a valid media type; use application/json`);
  }
  if (parsed.type !== 'application/json') {
    throw new UnsupportedMediaTypeError(`Content-Type ${parsed.type} is not accepted; use application/json`);
  }
  // A compressed body would otherwise be read as JSON text and refused as invalid_json, which names
  // the wrong problem: an unsupported content coding is a 415 (RFC 9110, section 8.4.1).
  const coding = (req.headers['content-encoding'] ?? '').trim().toLowerCase();
  if (coding !== '' && coding !== 'identity') {
    throw new UnsupportedMediaTypeError(`Content-Encoding "${coding.slice(0, 40)}" is not accepted; send the JSON uncompressed`);
  }
  return { charset: (parsed.parameters.charset ?? 'utf-8').toLowerCase() };
}

const childPointer = (pointer: string, key: string) => `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;

/** The JSON Pointer of the first value nested deeper than `maxDepth`, or undefined. */
export function findTooDeep(value: unknown, maxDepth: number): string | undefined {
  const stack: Array<{ value: unknown; depth: number; pointer: string }> = [{ value, depth: 0, pointer: '' }];
  while (stack.length > 0) {
    const { value: v, depth, pointer } = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth + 1 > maxDepth) return pointer || '/';
    for (const [k, child] of Object.entries(v)) stack.push({ value: child, depth: depth + 1, pointer: childPointer(pointer, k) });
  }
  return undefined;
}

/** The JSON Pointer of the first string (value or key) holding U+0000, or undefined. */
export function findNul(value: unknown): string | undefined {
  const stack: Array<{ value: unknown; pointer: string }> = [{ value, pointer: '' }];
  while (stack.length > 0) {
    const { value: v, pointer } = stack.pop()!;
    if (typeof v === 'string' && v.includes('\0')) return pointer || '/';
    if (v === null || typeof v !== 'object') continue;
    for (const [k, child] of Object.entries(v)) {
      if (k.includes('\0')) return childPointer(pointer, k);
      stack.push({ value: child, pointer: childPointer(pointer, k) });
    }
  }
  return undefined;
}

/**
 * Where JSON text first goes wrong. V8's own messages carry no position for some errors and quote the
 * body (which may hold a secret), so the position comes from jsonc-parser's scanner in strict mode.
 */
export function jsonErrorAt(text: string): { message: string; position: number; line: number; column: number } {
  const errors: jsonc.ParseError[] = [];
  jsonc.parse(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const first = errors[0];
  const position = first?.offset ?? 0;
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  const column = position - before.lastIndexOf('\n');
  const what = first ? jsonc.printParseErrorCode(first.error) : 'InvalidSymbol';
  return { message: `${what} at line ${line}, column ${column}`, position, line, column };
}

/** Parses JSON text into a value that can never pollute Object.prototype. */
export function parseJson(text: string, maxDepth = MAX_JSON_DEPTH): unknown {
  const trimmed = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (trimmed.trim() === '') throw new InvalidJsonError('Request body is empty; send a JSON document');
  let value: unknown;
  try {
    value = sjson.parse(trimmed, undefined, { protoAction: 'error', constructorAction: 'error' });
  } catch (err) {
    const message = (err as Error).message;
    if (/forbidden prototype property/i.test(message)) {
      throw new ValidationError('Request body uses a forbidden key', [
        { path: '', message: 'keys "__proto__" and "constructor.prototype" are not allowed' },
      ]);
    }
    const detail = jsonErrorAt(trimmed);
    throw new InvalidJsonError(`Request body is not valid JSON: ${detail.message}`, [detail]);
  }
  const deep = findTooDeep(value, maxDepth);
  if (deep !== undefined) {
    throw new ValidationError(`JSON is nested deeper than ${maxDepth} levels`, [
      { path: deep, message: `nesting deeper than ${maxDepth}` },
    ]);
  }
  // A NUL character can only arrive escaped. PostgreSQL cannot store one in text, and no upstream field needs one.
  const nul = trimmed.includes('\\u0000') ? findNul(value) : undefined;
  if (nul !== undefined) {
    throw new ValidationError('Request body contains a NUL character (\\u0000)', [
      { path: nul, message: 'strings may not contain \\u0000' },
    ]);
  }
  return value;
}

function discardRest(req: Request): Promise<void> {
  // Closing a socket with unread data makes the kernel send a reset, and clients that are still
  // writing then lose our 413 (EPIPE). So drain with caps, like body-parser, then let keep-alive go on.
  req.unpipe();
  return new Promise((resolve) => {
    let discarded = 0;
    const cut = () => {
      req.socket.destroy();
      resolve();
    };
    const timer = setTimeout(cut, DISCARD_MAX_MS).unref();
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    req.on('data', (chunk: Buffer) => {
      discarded += chunk.length;
      if (discarded > DISCARD_MAX_BYTES) cut();
    });
    req.once('end', done);
    req.once('close', done);
    req.resume();
  });
}

/**
 * The payload gate: only application/json, at most `limitBytes` (counted in bytes, refused from
 * Content-Length before reading and while streaming chunked bodies), well-formed, not too deep.
 * Sets `req.body`; requests without a body get `undefined`.
 */
export function jsonBody(options: { limitBytes: number; maxDepth?: number }) {
  const { limitBytes, maxDepth = MAX_JSON_DEPTH } = options;
  return async (req: Request, _res: Response, next: NextFunction): Promise<void> => {
    if (!hasBody(req)) {
      req.body = undefined;
      return next();
    }
    const { charset } = mediaType(req);
    const declared = req.headers['content-length'];
    const length = declared === undefined ? undefined : Number(declared);
    if (length !== undefined && length > limitBytes) {
      void discardRest(req);
      throw new PayloadTooLargeError(limitBytes, length);
    }
    let text: string;
    try {
      text = await getRawBody(req, { limit: limitBytes, length, encoding: charset });
    } catch (err) {
      const tooLarge = (err as RawBodyError).type === 'entity.too.large';
      if (tooLarge) {
        const drained = discardRest(req);
        // A client that asked to close would have its upload reset right after our answer: finish the
        // (bounded) discard first so it reads the 413.
        if (/\bclose\b/i.test(req.headers.connection ?? '')) await drained;
        throw new PayloadTooLargeError(limitBytes, { moreThan: limitBytes });
      }
      throw translateReadError(err as RawBodyError);
    }
    req.body = parseJson(text, maxDepth);
    next();
  };
}

interface RawBodyError extends Error {
  type?: string;
  received?: number;
  expected?: number;
  status?: number;
}

function translateReadError(err: RawBodyError): AppError | Error {
  switch (err.type) {
    case 'encoding.unsupported':
      return new UnsupportedMediaTypeError(`charset "${(err as { encoding?: string }).encoding ?? ''}" is not supported; use utf-8`);
    case 'request.size.invalid':
      return new InvalidJsonError('Request body is shorter or longer than its Content-Length');
    case 'request.aborted':
      return new InvalidJsonError('Request body was cut off by the client');
    default:
      return err;
  }
}
