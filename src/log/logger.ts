import { AsyncLocalStorage } from 'node:async_hooks';
import winston from 'winston';
import { redact, redactString } from './redact.js';

/** Carries the request id of the current request into every log line. */
export const requestContext = new AsyncLocalStorage<{ requestId: string }>();

const redactFormat = winston.format((info) => {
  const ctx = requestContext.getStore();
  const masked = redact({ ...info }) as Record<string, unknown>;
  for (const key of Object.keys(info)) delete (info as Record<string, unknown>)[key];
  Object.assign(info, masked);
  if (typeof info.message === 'string') info.message = redactString(info.message);
  if (ctx && info.requestId === undefined) info.requestId = ctx.requestId;
  return info;
});

export type Logger = winston.Logger;

/** Creates the root logger: JSON lines on stdout, secrets masked at any depth. */
export function createLogger(options: { level?: string; silent?: boolean; stream?: NodeJS.WritableStream } = {}): Logger {
  const transport = options.stream
    ? new winston.transports.Stream({ stream: options.stream })
    : new winston.transports.Console();
  return winston.createLogger({
    level: options.level ?? 'info',
    silent: options.silent ?? false,
    format: winston.format.combine(winston.format.timestamp(), redactFormat(), winston.format.json()),
    transports: [transport],
  });
}
