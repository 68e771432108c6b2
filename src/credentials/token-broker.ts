import { EventEmitter } from 'node:events';
import type { Logger } from '../log/logger.js';
import type { Timer } from '../time/clock.js';
import type { TokenBrokerOptions } from './token-broker-options.js';
import { reauthCanHelp, refreshRetry } from './refresh-policy.js';
import { obtainToken, type RefreshHost } from './token-refresh.js';
import { credentialsSnapshot } from './token-snapshot.js';
import {
  CredentialsUnavailableError,
  TokenEndpointError,
  type CredentialsSnapshot,
  type FailedEvent,
  type HeldToken,
  type RotatedEvent,
  type UpstreamName,
} from './token-types.js';

export type { TokenBrokerOptions } from './token-broker-options.js';

/** A re-issued token is served until this close to its expiry, then callers wait for the next one. */
const REUSED_SAFETY_MS = 250;
const REUSED_GAP_MS = 100;

/**
 * Keeps one valid token per upstream ready: proactive background refresh while the old token is
 * still served, one refresh at a time for every caller, verification before promotion (Genesys
 * propagation lag), backoff on failures, re-auth once on 401/403. Emits `rotated` and `failed`.
 */
export class TokenBroker extends EventEmitter {
  readonly upstream: UpstreamName;
  private current?: HeldToken;
  private inflight?: Promise<HeldToken>;
  private timer?: Timer;
  private nextAttemptMono?: number;
  private consecutiveFailures = 0;
  /** A `failed` event went out for the current run of failures (so `recovered` follows it). */
  private failureAnnounced = false;
  private failureCount = 0;
  private refreshCount = 0;
  private lastError?: string;
  private permanentError?: Error;
  private skewMs?: number;
  private lastPropagationMs = 0;
  /** Set when the issuer handed back the current token: no newer one exists before this (monotonic) time. */
  private reusedUntilMono?: number;
  private stopped = false;
  private readonly random: () => number;
  private readonly log: Logger;
  /** What the steps of a refresh (token-refresh.ts) may read and change of this broker. */
  private readonly host: RefreshHost;

  constructor(private readonly options: TokenBrokerOptions) {
    super();
    this.upstream = options.upstream;
    this.random = options.random ?? Math.random;
    // `connection` (a Genesys org's name) is undefined with one connection of the upstream, and then left out.
    this.log = options.logger.child({ module: 'credentials/broker', upstream: options.upstream, connection: options.connection });
    this.host = {
      upstream: options.upstream,
      storeKey: options.connection === undefined ? options.upstream : `${options.upstream}:${options.connection}`,
      options,
      log: this.log,
      random: this.random,
      current: () => this.current,
      usable: (t) => this.usable(t),
      promote: (token, propagationMs) => this.promote(token, propagationMs),
      reissued: (untilMono) => void (this.reusedUntilMono = untilMono),
      skewMeasured: (skewMs) => {
        this.skewMs = skewMs;
        options.metrics.skew(options, skewMs / 1000);
      },
    };
    options.metrics.trackExpiry(options, () =>
      this.current ? (this.current.expiresAtMono - options.clock.monotonic()) / 1000 : undefined,
    );
  }

  /** Obtains the first token in the background and keeps tokens fresh until stop(). */
  start(): void {
    this.stopped = false;
    this.refreshInBackground();
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = undefined;
  }

  /** A token with at least the hard buffer left; waits only when there is none (all callers on one refresh). */
  async token(): Promise<HeldToken> {
    const held = this.current;
    if (held && this.usable(held)) {
      if (this.options.clock.monotonic() >= held.softAtMono) this.refreshInBackground();
      return held;
    }
    return this.refreshForCaller();
  }

  /**
   * An upstream refused `refused` with 401/403. Returns the token to retry with once, or undefined
   * when retrying cannot help (a 403 on a token the upstream already accepted: a permission problem).
   */
  async afterRejection(refused: HeldToken, status: number): Promise<HeldToken | undefined> {
    const current = this.current;
    if (current && current.value !== refused.value && this.usable(current)) return current;
    const reissued = this.reusedUntilMono !== undefined && current?.value === refused.value;
    if (!reauthCanHelp(refused, { status, reissued, now: this.options.clock.now() })) return undefined;
    this.options.metrics.reauth(this.options);
    this.log.warn('upstream refused the current token; getting a fresh one', { status });
    refused.invalidated = true;
    const fresh = await this.refreshForCaller();
    if (fresh.value === refused.value) return undefined;
    fresh.issuedForRetry = true;
    return fresh;
  }

  /** Marks a token as accepted by the upstream (called after a 2xx). */
  accepted(token: HeldToken): void {
    token.accepted = true;
    token.issuedForRetry = false;
  }

  /** True when the broker cannot currently hand out a token and has given up for a while. */
  get healthy(): boolean {
    return (
      this.permanentError === undefined &&
      (this.current !== undefined ? this.usable(this.current) || this.inflight !== undefined : this.consecutiveFailures === 0)
    );
  }

  snapshot(): CredentialsSnapshot {
    const t = this.current;
    return credentialsSnapshot({
      upstream: this.upstream,
      token: t,
      usable: t !== undefined && this.usable(t),
      refreshing: this.inflight !== undefined,
      failedPermanently: this.permanentError !== undefined,
      consecutiveFailures: this.consecutiveFailures,
      nextAttemptMono: this.nextAttemptMono,
      refreshCount: this.refreshCount,
      failureCount: this.failureCount,
      lastError: this.lastError,
      skewMs: this.skewMs,
      clock: this.options.clock,
    });
  }

  private usable(t: HeldToken): boolean {
    const left = t.expiresAtMono - this.options.clock.monotonic();
    if (t.invalidated) return false;
    // A token the issuer re-issued is the only one to be had: serve it to just before its end.
    if (t === this.current && this.reusedUntilMono !== undefined) return left > REUSED_SAFETY_MS;
    return left > t.hardBufferMs;
  }

  private refreshInBackground(): void {
    if (this.inflight || this.stopped) return;
    if (this.nextAttemptMono !== undefined && this.options.clock.monotonic() < this.nextAttemptMono && this.timer) return;
    this.refresh().catch(() => undefined);
  }

  /** A caller with no usable token: join the refresh in flight, or start one unless we are backing off. */
  private async refreshForCaller(): Promise<HeldToken> {
    if (this.inflight) return this.inflight;
    const { clock } = this.options;
    if (this.reusedUntilMono !== undefined && clock.monotonic() < this.reusedUntilMono + REUSED_GAP_MS) {
      // Asking before the re-issued token has expired would only return it again: wait out the gap.
      await clock.sleep(this.reusedUntilMono + REUSED_GAP_MS - clock.monotonic());
      if (this.inflight) return this.inflight;
      if (this.current && this.usable(this.current)) return this.current;
    }
    const backingOff =
      this.consecutiveFailures > 0 && this.nextAttemptMono !== undefined && this.options.clock.monotonic() < this.nextAttemptMono;
    if (backingOff) {
      // A refresh that failed is not retried by each waiting caller: they get the failure until the next attempt.
      throw new CredentialsUnavailableError(this.upstream, this.lastError ?? 'the last refresh failed', this.permanentError);
    }
    return this.refresh();
  }

  private refresh(): Promise<HeldToken> {
    this.inflight ??= this.runRefresh().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async runRefresh(): Promise<HeldToken> {
    const { clock, metrics } = this.options;
    this.timer?.cancel();
    const started = clock.monotonic();
    try {
      const { token, adopted } = await obtainToken(this.host);
      metrics.refreshed(this.options, adopted ? 'adopted' : 'success', (clock.monotonic() - started) / 1000);
      this.recovered();
      const nextAt = this.reusedUntilMono !== undefined ? this.reusedUntilMono + REUSED_GAP_MS : token.softAtMono;
      this.schedule(nextAt - clock.monotonic());
      return token;
    } catch (err) {
      metrics.refreshed(
        this.options,
        err instanceof TokenEndpointError && err.kind === 'transient' ? 'transient_error' : 'permanent_error',
        (clock.monotonic() - started) / 1000,
      );
      this.failed(err as Error);
      throw new CredentialsUnavailableError(this.upstream, (err as Error).message, err);
    }
  }

  private promote(token: HeldToken, propagationMs: number | undefined): void {
    const previous = this.current;
    this.current = token;
    this.reusedUntilMono = undefined;
    this.refreshCount += 1;
    if (propagationMs !== undefined) this.lastPropagationMs = propagationMs;
    // Leave room for twice the propagation delay just seen, so the next token is verified before this
    // one reaches its hard deadline (matters for short-lived tokens).
    token.softAtMono = Math.min(token.softAtMono, token.expiresAtMono - token.hardBufferMs - 2 * this.lastPropagationMs);
    const event: RotatedEvent = {
      upstream: this.upstream,
      at: this.options.clock.now(),
      previousExpiresAt: previous?.expiresAtWall,
      verified: token.verified,
      propagationMs,
    };
    this.log.info('token rotated', {
      expiresAt: new Date(token.expiresAtWall).toISOString(),
      verified: token.verified,
      propagationMs: propagationMs === undefined ? undefined : Math.round(propagationMs),
    });
    this.emit('rotated', event);
  }

  private recovered(): void {
    if (this.consecutiveFailures > 0 || this.permanentError) this.log.info('token refresh recovered', { after: this.consecutiveFailures });
    if (this.failureAnnounced) this.emit('recovered', { upstream: this.upstream, at: this.options.clock.now() });
    this.failureAnnounced = false;
    this.consecutiveFailures = 0;
    this.permanentError = undefined;
    this.lastError = undefined;
  }

  private failed(err: Error): void {
    this.consecutiveFailures += 1;
    this.failureCount += 1;
    this.lastError = err.message;
    const served = this.current && this.usable(this.current) ? this.current : undefined;
    const { permanent, delayMs: delay } = refreshRetry(err, {
      consecutiveFailures: this.consecutiveFailures,
      random: this.random,
      servedForMs: served && served.expiresAtMono - served.hardBufferMs - this.options.clock.monotonic(),
    });
    if (permanent) {
      if (!this.permanentError) this.log.error('credentials rejected; will not retry for minutes, a person must act', { err });
      this.permanentError = err;
    } else {
      this.log.warn('token refresh failed; backing off', { err, retryInMs: Math.round(delay), attempt: this.consecutiveFailures });
    }
    this.schedule(delay);
    const event: FailedEvent = { upstream: this.upstream, at: this.options.clock.now(), permanent, message: err.message };
    const retry = { connection: this.options.connection, attempt: this.consecutiveFailures, retryInMs: Math.round(delay) };
    this.options.trail?.refreshFailed({ ...event, ...retry, stillServing: served !== undefined });
    // Others (credentials incident, helpdesk alert) hear of a failure when it matters: every refusal of the
    // credentials, a transient failure only once no usable token is left (until then nobody is affected,
    // and /readyz, /v1/credentials and the WARN above say that refreshing fails).
    if (permanent || (!this.failureAnnounced && !served)) {
      this.failureAnnounced = true;
      this.emit('failed', event);
    }
  }

  private schedule(delayMs: number): void {
    this.timer?.cancel();
    if (this.stopped) return;
    const delay = Math.max(0, delayMs);
    this.nextAttemptMono = this.options.clock.monotonic() + delay;
    this.timer = this.options.clock.setTimer(delay, () => {
      this.timer = undefined;
      this.refresh().catch(() => undefined);
    });
  }
}
