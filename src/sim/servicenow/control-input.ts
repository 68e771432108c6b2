import type { AnswerHoldOptions } from './answer-hold.js';
import { checkRateLimitRule } from './options.js';
import type { RateLimitRuleConfig } from './options.js';

/** A fault or setting the simulator was asked for does not make sense; the control API answers 400. */
export class SimInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SimInputError';
  }
}

export type OutageMode = '503' | 'refused' | 'slow';

export interface OutageOptions {
  /** '503': answer 503; 'refused': stop listening (ECONNREFUSED); 'slow': delay every answer by delayMs. */
  mode: OutageMode;
  /** Ends by itself after this long on the simulator's clock; otherwise it lasts until restore(). */
  durationMs?: number;
  /** For 'slow'; default 5000. */
  delayMs?: number;
  /** For '503': a JSON failure body (default) or an HTML maintenance page. */
  body?: 'json' | 'html';
}

export interface RateLimitStormOptions {
  /** `Retry-After` on every 429. */
  retryAfterSec: number;
  durationMs?: number;
}

export interface TokenFaultOptions {
  /** 'down': the token endpoint answers 503; 'reject': it refuses every grant with 401 access_denied. */
  mode: 'down' | 'reject';
  durationMs?: number;
}

type Input = Record<string, unknown>;

function asObject(input: unknown): Input {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new SimInputError('expected a JSON object');
  return input as Input;
}

function optionalNumber(input: Input, name: string, { min, integer }: { min: number; integer?: boolean }): number | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || (integer && !Number.isInteger(value))) {
    throw new SimInputError(`${name} must be ${integer ? 'an integer' : 'a number'} >= ${min}`);
  }
  return value;
}

function oneOf<T extends string>(input: Input, name: string, allowed: readonly T[]): T {
  const value = input[name];
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new SimInputError(`${name} must be one of ${allowed.join(', ')}`);
  }
  return value as T;
}

export function parseOutage(raw: unknown): OutageOptions {
  const input = asObject(raw);
  const mode = oneOf(input, 'mode', ['503', 'refused', 'slow'] as const);
  const durationMs = optionalNumber(input, 'durationMs', { min: 0 });
  const delayMs = optionalNumber(input, 'delayMs', { min: 0 });
  const body = input.body === undefined ? undefined : oneOf(input, 'body', ['json', 'html'] as const);
  return { mode, durationMs, delayMs: mode === 'slow' ? (delayMs ?? 5000) : undefined, body };
}

export function parseRateLimitStorm(raw: unknown): RateLimitStormOptions {
  const input = asObject(raw);
  const retryAfterSec = optionalNumber(input, 'retryAfterSec', { min: 0, integer: true });
  if (retryAfterSec === undefined) throw new SimInputError('retryAfterSec is required');
  return { retryAfterSec, durationMs: optionalNumber(input, 'durationMs', { min: 0 }) };
}

/** `{limit, windowSec?}` sets the per-user rule; `{limit: null}` removes it. */
export function parseRateLimitRule(raw: unknown): RateLimitRuleConfig | null {
  const input = asObject(raw);
  if (input.limit === null) return null;
  const limit = optionalNumber(input, 'limit', { min: 1, integer: true });
  if (limit === undefined) throw new SimInputError('limit is required (null removes the rule)');
  return checkRateLimitRule({ limit, windowSec: optionalNumber(input, 'windowSec', { min: 1 }) });
}

export function parseTokenFault(raw: unknown): TokenFaultOptions {
  const input = asObject(raw);
  return { mode: oneOf(input, 'mode', ['down', 'reject'] as const), durationMs: optionalNumber(input, 'durationMs', { min: 0 }) };
}

export function parseTokenLifetime(raw: unknown): number {
  const seconds = optionalNumber(asObject(raw), 'seconds', { min: 1 });
  if (seconds === undefined) throw new SimInputError('seconds is required');
  return seconds;
}

/** `{method?, path?}`: which answers to hold (absent: all). */
export function parseAnswerHold(raw: unknown): AnswerHoldOptions {
  const input = asObject(raw);
  const text = (name: string): string | undefined => {
    const value = input[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string' || value === '') throw new SimInputError(`${name} must be a non-empty string`);
    return value;
  };
  const path = text('path');
  if (path !== undefined && !path.startsWith('/')) throw new SimInputError('path must start with /');
  return { method: text('method'), path };
}
