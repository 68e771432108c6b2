import { EventEmitter } from 'node:events';
import path from 'node:path';
import type { CredentialsSnapshot } from '../credentials/token-types.js';
import type { Authorization, UpstreamCredentials, UpstreamName } from '../credentials/upstream-credentials.js';
import { headerNumber, type UpstreamPacer } from '../upstream/upstream-pacer.js';

/** Every outbound call of the doctor gives up after this (a check has 10 s in all). */
export const CALL_TIMEOUT_MS = 8_000;

/** One wait after a 5xx or a refused connection, instead of the clients' 3 s / 9 s / 27 s. */
export const DOCTOR_BACKOFF_MS = [500] as const;

/**
 * The doctor's pacer: it never waits (the doctor makes a handful of calls), and keeps the rate-limit
 * headers of the last answer that carried them, which the rate-limit checks read.
 */
export class RecordingPacer implements UpstreamPacer {
  private seen: Record<string, unknown> = {};

  acquire(): void {}

  observe(_status: number, headers: Record<string, unknown>): void {
    const found = Object.keys(headers).filter((h) => /^(inin-ratelimit-|x-ratelimit-)/i.test(h));
    if (found.length > 0) this.seen = Object.fromEntries(found.map((h) => [h.toLowerCase(), headers[h]]));
  }

  number(name: string): number | undefined {
    return headerNumber(this.seen, name);
  }

  text(name: string): string | undefined {
    const v = this.seen[name];
    return typeof v === 'string' && v !== '' ? v : undefined;
  }

  describe(): Record<string, unknown> {
    return { paced: false, seen: this.seen };
  }

  async close(): Promise<void> {}
}

/**
 * Credentials that hand out one header (the token the doctor obtained, or Basic) and never retry a
 * refusal: the doctor reports a 401/403 as it comes instead of asking for another token.
 */
export class FixedCredentials extends EventEmitter implements UpstreamCredentials {
  constructor(
    readonly upstream: UpstreamName,
    private readonly header: string,
  ) {
    super();
  }

  async authorize(): Promise<Authorization> {
    return { header: this.header };
  }

  async refused(): Promise<undefined> {
    return undefined;
  }

  accepted(): void {}

  snapshot(): CredentialsSnapshot {
    return {
      name: this.upstream,
      expiresAt: null,
      refreshedAt: null,
      nextRefreshAt: null,
      refreshCount: 0,
      failureCount: 0,
      lastError: null,
      verified: false,
      scopes: [],
      skewMs: null,
      state: 'ok',
    };
  }

  async ready(): Promise<{ ok: boolean }> {
    return { ok: true };
  }

  start(): void {}

  stop(): void {}
}

/** Runs `fn` once and hands every caller the same promise. */
export function once<T>(fn: () => Promise<T>): () => Promise<T> {
  let result: Promise<T> | undefined;
  return () => (result ??= fn());
}

/** Scheme, host and port of a URL: what the doctor shows of URLs that may carry a secret in their path. */
export function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(unreadable URL)';
  }
}

/** A path relative to the working folder when it lies inside it (as the mapping loader names files). */
export function shownPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') ? relative : file;
}
