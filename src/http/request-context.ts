import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../log/logger.js';
import { requestContext } from '../log/logger.js';
import type { Caller } from '../callers/caller.js';
import type { HttpMetrics } from './http-metrics.js';

const INCOMING_ID = /^[A-Za-z0-9._:@-]{1,128}$/;

/** Keeps a sane incoming X-Request-Id (else makes one), echoes it, and runs the request inside its log context. */
export function requestId() {
  return (req: Request, res: Response, next: NextFunction): void => {
    const incoming = req.headers['x-request-id'];
    const id = typeof incoming === 'string' && INCOMING_ID.test(incoming) ? incoming : randomUUID();
    res.locals.requestId = id;
    res.setHeader('X-Request-Id', id);
    requestContext.run({ requestId: id }, () => next());
  };
}

/** The route template a request matched, for bounded metric labels and log lines. */
export function routeOf(req: Request): string {
  const route = req.route as { path?: string } | undefined;
  return route?.path ? `${req.baseUrl}${route.path}` : 'unmatched';
}

/** One access line per request, and the HTTP histogram. */
export function accessLog(logger: Logger, metrics: HttpMetrics) {
  const log = logger.child({ module: 'http/access' });
  return (req: Request, res: Response, next: NextFunction): void => {
    const started = process.hrtime.bigint();
    res.once('close', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = routeOf(req);
      const caller = res.locals.caller as Caller | undefined;
      metrics.observe(req.method, route, res.statusCode, seconds);
      if (caller) metrics.countCaller(caller.label, res.statusCode < 400 ? 'ok' : String(res.locals.errorCode ?? 'other'));
      log.info('request', {
        requestId: res.locals.requestId,
        method: req.method,
        path: req.originalUrl.split('?')[0],
        route,
        status: res.statusCode,
        durationMs: Math.round(seconds * 1e4) / 10,
        bytesOut: Number(res.getHeader('content-length') ?? 0) || undefined,
        caller: caller?.name,
        aborted: !res.writableFinished || undefined,
      });
    });
    next();
  };
}
