/** The stable error codes (docs/design.md, 'Error contract'); each maps to exactly one HTTP status. */
export const ERROR_STATUS = {
  invalid_json: 400,
  validation_failed: 400,
  unauthorized: 401,
  forbidden: 403,
  unknown_action: 404,
  not_found: 404,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal: 500,
  upstream_error: 502,
  upstream_unavailable: 503,
  upstream_timeout: 504,
  store_unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** One entry of `error.details`; `path` is a JSON Pointer when the problem is in the body. */
export interface ErrorDetail {
  path?: string;
  message: string;
  [key: string]: unknown;
}

/** Base of the closed set of errors trunkgate answers with. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetail[];
  /** Extra response headers (e.g. Retry-After, WWW-Authenticate). */
  readonly headers: Record<string, string>;

  constructor(
    code: ErrorCode,
    message: string,
    options: { details?: ErrorDetail[]; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = options.details ?? [];
    this.headers = options.headers ?? {};
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

export class InvalidJsonError extends AppError {
  constructor(message: string, details: ErrorDetail[] = []) {
    super('invalid_json', message, { details });
  }
}

export class ValidationError extends AppError {
  constructor(message: string, details: ErrorDetail[]) {
    super('validation_failed', message, { details });
  }
}

export class UnauthorizedError extends AppError {
  constructor(message: string, challenge: string) {
    super('unauthorized', message, { headers: { 'WWW-Authenticate': challenge } });
  }
}

export class ForbiddenError extends AppError {
  constructor(message: string, details: ErrorDetail[] = []) {
    super('forbidden', message, { details });
  }
}

export class UnknownActionError extends AppError {
  constructor(name: string) {
    super('unknown_action', `No action named "${name}" is loaded`, {
      details: [{ message: 'GET /v1/actions lists the loaded actions', action: name }],
    });
  }
}

export class NotFoundError extends AppError {
  constructor(message: string) {
    super('not_found', message);
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(limitBytes: number, received: number | { moreThan: number }) {
    const size = typeof received === 'number' ? `${received} bytes` : `more than ${received.moreThan} bytes`;
    super('payload_too_large', `Request body is limited to ${limitBytes} bytes; received ${size}`, {
      details: [
        {
          message: 'body too large',
          limitBytes,
          ...(typeof received === 'number' ? { receivedBytes: received } : { receivedMoreThan: received.moreThan }),
        },
      ],
    });
  }
}

export class UnsupportedMediaTypeError extends AppError {
  constructor(message: string) {
    super('unsupported_media_type', message);
  }
}

export class RateLimitedError extends AppError {
  constructor(message: string, retryAfterSeconds: number, details: ErrorDetail[] = []) {
    super('rate_limited', message, { headers: { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) }, details });
  }
}

/** What an upstream failure keeps as evidence (never a token or secret). */
export interface UpstreamEvidence {
  /** The upstream's name (`genesys`, `servicenow`), or `alert-webhook`. */
  upstream: string;
  operation: string;
  status?: number;
  body?: string;
  /** What the upstream's Retry-After asked for (429/503), in milliseconds. */
  retryAfterMs?: number;
  /** Set when the request may have been processed although no answer came (timeout, reset). */
  processed?: 'unknown';
  /** How many attempts were made before giving up (with retries). */
  attempts?: number;
  /** A 403 for a missing permission: the permissions the upstream named, and its error code (e.g. `missing.permissions`). */
  missingPermissions?: string[];
  permissionCode?: string;
}

/** An upstream error's evidence, as its first detail carries it. */
export function evidenceOf(err: AppError): UpstreamEvidence | undefined {
  const first = err.details[0];
  return first && typeof first.upstream === 'string' && typeof first.operation === 'string'
    ? (first as unknown as UpstreamEvidence)
    : undefined;
}

function evidenceDetail(e: UpstreamEvidence): ErrorDetail {
  return { message: `${e.upstream} ${e.operation}${e.status ? ` answered ${e.status}` : ''}`, ...e };
}

/** The upstream answered with an error status (not 503). */
export class UpstreamError extends AppError {
  constructor(message: string, evidence: UpstreamEvidence, cause?: unknown) {
    super('upstream_error', message, { details: [evidenceDetail(evidence)], cause });
  }
}

/** Refused or reset connection, or the upstream answered 503. */
export class UpstreamUnavailableError extends AppError {
  constructor(message: string, evidence: UpstreamEvidence, cause?: unknown) {
    super('upstream_unavailable', message, { details: [evidenceDetail(evidence)], cause });
  }
}

/** The action's deadline passed. */
export class UpstreamTimeoutError extends AppError {
  constructor(message: string, evidence: UpstreamEvidence, cause?: unknown) {
    super('upstream_timeout', message, { details: [evidenceDetail(evidence)], cause });
  }
}

/** Seconds a caller is asked to wait before resending what the unreachable store could not record. */
export const STORE_RETRY_AFTER_SEC = 5;

/**
 * The store cannot be reached (PostgreSQL down, restarting or out of connections): nothing was
 * recorded, so resending later is safe. The message names the engine, never its address.
 */
export class StoreUnavailableError extends AppError {
  constructor(message: string, cause?: unknown) {
    super('store_unavailable', message, { headers: { 'Retry-After': String(STORE_RETRY_AFTER_SEC) }, cause });
  }
}

export class InternalError extends AppError {
  constructor(message = 'Internal error', cause?: unknown) {
    super('internal', message, { cause });
  }
}
