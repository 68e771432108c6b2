import type { Response } from 'express';
import type { GenesysErrorBody, GenesysOAuthError } from './wire-types.js';

/** Correlation id the current request was given (also sent as `ININ-Correlation-Id`). */
export function correlationIdOf(res: Response): string {
  return String(res.locals.correlationId ?? '');
}

/**
 * Platform API errors. Codes and messages follow the public Swagger's `x-inin-error-codes`
 * (mirrored in gildas/gcloudcx `errors.go`); the 429 body follows Genesys' announcement
 * "Normalized Platform API 429 responses" (developer.genesys.cloud/forum/t/12028), whose
 * `contextId` is the correlation id.
 */
export const apiErrors = {
  authenticationRequired: {
    status: 401,
    code: 'authentication.required',
    message: 'No authentication bearer token specified in authorization header.',
  },
  badCredentials: { status: 401, code: 'bad.credentials', message: 'Invalid login credentials.' },
  badRequest: {
    status: 400,
    code: 'bad.request',
    message: 'The request could not be understood by the server due to malformed syntax.',
  },
  notFound: { status: 404, code: 'not.found', message: 'The requested resource was not found.' },
  internal: {
    status: 500,
    code: 'internal.server.error',
    message: 'The server encountered an unexpected condition which prevented it from fulfilling the request.',
  },
  unavailable: {
    status: 503,
    code: 'service.unavailable',
    message: 'Service Unavailable - The server is currently unavailable (because it is overloaded or down for maintenance).',
  },
} as const satisfies Record<string, { status: number; code: string; message: string }>;

export function apiErrorBody(res: Response, error: { status: number; code: string; message: string }): GenesysErrorBody {
  return {
    message: error.message,
    code: error.code,
    status: error.status,
    contextId: correlationIdOf(res),
    details: [],
    errors: [],
  };
}

export function sendApiError(res: Response, error: { status: number; code: string; message: string }): void {
  res.status(error.status).json(apiErrorBody(res, error));
}

export function sendInvalidValue(res: Response, value: string, fieldType: string, allowed: string): void {
  sendApiError(res, {
    status: 400,
    code: 'invalid.value',
    message: `Value [${value}] is not valid for field type [${fieldType}]. Allowable values are: ${allowed}`,
  });
}

/** 429 as the platform API sends it, with `Retry-After` in whole seconds. */
export function sendTooManyRequests(res: Response, retryAfterSec: number): void {
  res.setHeader('Retry-After', String(retryAfterSec));
  sendApiError(res, {
    status: 429,
    code: 'too.many.requests.retry.after',
    message: `Rate limit exceeded the maximum. Retry the request in [${retryAfterSec}] seconds`,
  });
}

/** Login-service error: `{error, description, error_description}` (both texts are the same on the wire). */
export function sendOAuthError(res: Response, status: number, error: string, description: string): void {
  const body: GenesysOAuthError = { error, description, error_description: description };
  res.status(status).json(body);
}
