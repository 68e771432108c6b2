import { asObject, oneOf, optionalInt } from './control-input.js';

export const tokenEndpointModes = ['ok', 'down', 'error', 'slow', 'rate_limited', 'reject'] as const;
export const apiModes = ['ok', 'down', 'error', 'slow', 'rate_limited'] as const;

/** A fault on `POST /oauth/token`. */
export interface TokenEndpointFault {
  /** `down` 503, `error` 500, `slow` answers normally after `delayMs`, `rate_limited` 429, `reject` invalid_client. */
  mode: (typeof tokenEndpointModes)[number];
  /** Restore `ok` after this long (on the sim's clock); forever when absent. */
  forMs?: number;
  /** `slow`: real milliseconds to wait before answering (default 1000). */
  delayMs?: number;
  /** `rate_limited`: the Retry-After to send (default: time left of `forMs`, else 60). */
  retryAfterSec?: number;
  /** `reject`: status to answer with (default 400, what the real login service sends). */
  status?: number;
}

/** A fault on every `/api/v2` call. */
export interface ApiFault {
  /** `down` 503, `error` 500, `slow` answers normally after `delayMs`, `rate_limited` 429 to everyone (a storm). */
  mode: (typeof apiModes)[number];
  forMs?: number;
  delayMs?: number;
  retryAfterSec?: number;
}

/** A fault that ends by itself: checked lazily against the clock on every request. */
export class TimedFault<F extends { mode: string; forMs?: number }> {
  private fault: F | undefined;
  private until = Infinity;

  set(fault: F, now: number): void {
    this.fault = fault.mode === 'ok' ? undefined : fault;
    this.until = fault.forMs === undefined ? Infinity : now + fault.forMs;
  }

  /** The fault in force at `now`, if any. */
  current(now: number): F | undefined {
    if (this.fault && now >= this.until) this.fault = undefined;
    return this.fault;
  }

  remainingMs(now: number): number {
    return this.current(now) ? this.until - now : 0;
  }

  clear(): void {
    this.fault = undefined;
  }
}

/** Retry-After for a `rate_limited` fault: the explicit value, else the time the fault has left. */
export function faultRetryAfterSec(fault: { retryAfterSec?: number }, remainingMs: number): number {
  if (fault.retryAfterSec !== undefined) return fault.retryAfterSec;
  return Number.isFinite(remainingMs) ? Math.max(1, Math.ceil(remainingMs / 1000)) : 60;
}

export function parseTokenEndpointFault(input: unknown): TokenEndpointFault {
  const o = asObject(input);
  const mode = oneOf(o.mode, tokenEndpointModes, 'mode');
  const status = optionalInt(o.status, 'status', 400, 599);
  return { mode, ...common(o), ...(status === undefined ? {} : { status }) };
}

export function parseApiFault(input: unknown): ApiFault {
  const o = asObject(input);
  return { mode: oneOf(o.mode, apiModes, 'mode'), ...common(o) };
}

function common(o: Record<string, unknown>): { forMs?: number; delayMs?: number; retryAfterSec?: number } {
  const forMs = optionalInt(o.forMs, 'forMs', 0);
  const delayMs = optionalInt(o.delayMs, 'delayMs', 0, 600_000);
  const retryAfterSec = optionalInt(o.retryAfterSec, 'retryAfterSec', 0);
  return {
    ...(forMs === undefined ? {} : { forMs }),
    ...(delayMs === undefined ? {} : { delayMs }),
    ...(retryAfterSec === undefined ? {} : { retryAfterSec }),
  };
}
