import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** ServiceNow's failure envelope: `{"error":{"message","detail"},"status":"failure"}`. */
export interface FailureBody {
  error: { message: string; detail: string | null };
  status: 'failure';
}

export function failure(message: string, detail: string | null): FailureBody {
  return { error: { message, detail }, status: 'failure' };
}

/** The content type ServiceNow puts on its JSON answers. */
export const JSON_CONTENT_TYPE = 'application/json;charset=UTF-8';

/** Cache headers the Table API sends on every answer (seen in captured instance responses). */
export const API_HEADERS: Readonly<Record<string, string>> = {
  'Cache-Control': 'no-cache,no-store,must-revalidate,max-age=-1',
  Pragma: 'no-store,no-cache',
  Expires: '0',
};

export type HeaderMap = Record<string, string | number>;

/** 32 lowercase hex characters, the shape of every ServiceNow sys_id. */
export function newSysId(): string {
  return randomBytes(16).toString('hex');
}

export const SYS_ID_PATTERN = /^[0-9a-f]{32}$/;

/** "YYYY-MM-DD HH:mm:ss" in UTC: how the Table API renders date-times by default. */
export function glideDateTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

function usable(res: ServerResponse): boolean {
  return !res.headersSent && !res.writableEnded && !res.destroyed;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: HeaderMap = {}): void {
  if (!usable(res)) return;
  const payload = JSON.stringify(body);
  res.statusCode = status;
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.setHeader('Content-Type', JSON_CONTENT_TYPE);
  res.setHeader('Content-Length', Buffer.byteLength(payload));
  res.end(payload);
}

export function sendText(res: ServerResponse, status: number, body: string, contentType: string, headers: HeaderMap = {}): void {
  if (!usable(res)) return;
  res.statusCode = status;
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.setHeader('Content-Type', contentType);
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}

export function sendEmpty(res: ServerResponse, status: number, headers: HeaderMap = {}): void {
  if (!usable(res)) return;
  res.statusCode = status;
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.end();
}

/** The body was larger than the simulator accepts; `size` is what was declared or received. */
export class BodyTooLargeError extends Error {
  constructor(
    readonly size: number,
    readonly limit: number,
  ) {
    super(`body of ${size} bytes exceeds ${limit}`);
    this.name = 'BodyTooLargeError';
  }
}

/** Reads the whole body; past `limit` it keeps draining (so the client is not reset) and then throws. */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  let tooLarge = Number.isFinite(declared) && declared > limit;
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) tooLarge = true;
    if (!tooLarge) chunks.push(chunk);
  }
  if (tooLarge) throw new BodyTooLargeError(Math.max(size, Number.isFinite(declared) ? declared : 0), limit);
  return Buffer.concat(chunks);
}

/** The media type of a request without parameters, lower-cased ('' when absent). */
export function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}
