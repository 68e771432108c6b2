import type { NextFunction, Request, Response } from 'express';
import { AppError, InternalError, NotFoundError, ValidationError } from '../errors/app-error.js';
import type { Logger } from '../log/logger.js';
import type { ErrorResponse } from './schemas.js';

/** The error body (docs/design.md, 'Error contract'). */
export function errorBody(err: AppError, requestId: string): ErrorResponse {
  return { error: { code: err.code, message: err.message, details: err.details }, requestId };
}

/** Unmatched routes become `not_found`. */
export function notFound() {
  return (req: Request, _res: Response, next: NextFunction): void => {
    next(new NotFoundError(`No route for ${req.method} ${req.path}`));
  };
}

/** The one place errors become HTTP: 4xx logged at info, 5xx at error, no stack trace leaves the process. */
export function errorHandler(logger: Logger) {
  const log = logger.child({ module: 'http/errors' });
  return (err: unknown, req: Request, res: Response, next: NextFunction): void => {
    const appError = toAppError(err);
    if (appError.status >= 500) {
      log.error(appError.message, { code: appError.code, err, path: req.path });
    } else {
      log.info(appError.message, { code: appError.code, path: req.path });
    }
    if (res.headersSent) {
      next(err);
      return;
    }
    // The access line's metrics count the outcome by code.
    res.locals.errorCode = appError.code;
    for (const [name, value] of Object.entries(appError.headers)) res.setHeader(name, value);
    res.status(appError.status).json(errorBody(appError, String(res.locals.requestId ?? '')));
  };
}

/**
 * Express and its parsers throw http-errors. A path parameter whose %-escapes do not decode (`%zz`, a
 * lone `%`, bytes that are not UTF-8 such as `%ff` or an encoded surrogate) is a URIError with status 400
 * but no `expose`: it is the caller's input, so a 400 in the contract shape, never a 500. Any other
 * 4xx is answered in the contract shape as well, its message kept only when marked safe to show.
 */
function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const status = (err as { status?: unknown } | null)?.status;
  if (typeof status !== 'number' || status < 400 || status >= 500) return new InternalError();
  if (err instanceof URIError) {
    return new ValidationError('The URL path is not valid: a %-escape in it does not decode to UTF-8 text', [
      { message: 'each % must start an escape of two hex digits, and the escapes must spell UTF-8' },
    ]);
  }
  if (status === 404) return new NotFoundError('Not found');
  const exposed = (err as { expose?: unknown }).expose === true;
  return new ValidationError('The request is malformed', exposed ? [{ message: (err as Error).message }] : []);
}
