import type { AxiosInstance, AxiosResponse } from 'axios';
import type { UpstreamCredentials, UpstreamName } from '../credentials/upstream-credentials.js';
import {
  AppError,
  RateLimitedError,
  UpstreamError,
  UpstreamTimeoutError,
  UpstreamUnavailableError,
  type UpstreamEvidence,
} from '../errors/app-error.js';
import type { Logger } from '../log/logger.js';
import type { Clock } from '../time/clock.js';
import { authorizedSend } from './authorized-send.js';
import { Deadline } from '../net/deadline.js';
import { classifyNetworkError, networkErrorCode } from '../net/network-error.js';
import { retryAfterOf } from '../net/retry-after.js';
import { decideRetry, type AttemptOutcome } from './retry-policy.js';
import { idempotentByDefault, type CallOptions, type UpstreamReply, type UpstreamRequest } from './upstream-api.js';
import { errorFromResponse } from './upstream-errors.js';
import { outcomeLabel, type UpstreamMetrics } from './upstream-metrics.js';
import type { UpstreamPacer } from './upstream-pacer.js';

export interface UpstreamCallerOptions {
  upstream: UpstreamName;
  /** With a connections file: the org's or instance's name (a metric label). */
  connection?: string;
  http: AxiosInstance;
  credentials: UpstreamCredentials;
  pacer: UpstreamPacer;
  clock: Clock;
  /** Deadline of a call made without one (ACTION_TIMEOUT_MS). */
  defaultTimeoutMs: number;
  /** Waits between attempts after 5xx or network failures. */
  backoffMs: readonly number[];
  metrics?: UpstreamMetrics;
  logger?: Logger;
  /** Explains a 403 that survived the broker's re-auth (a missing permission, not a token problem), from the upstream's body. */
  forbidden?: (
    operation: string,
    body: unknown,
  ) => { message: string; evidence?: Pick<UpstreamEvidence, 'missingPermissions' | 'permissionCode'> };
}

/**
 * Sends one logical request to an upstream: waits for a pacing slot, attaches credentials (with the
 * broker's re-auth-once on 401/403), and retries per the retry policy — all inside one deadline.
 * Every failure leaves as a trunkgate error carrying the evidence (docs/design.md, 'Error contract').
 */
export class UpstreamCaller {
  private readonly log?: Logger;

  constructor(private readonly o: UpstreamCallerOptions) {
    this.log = o.logger?.child({ module: `upstream/${o.upstream}` });
  }

  async call(request: UpstreamRequest, options: CallOptions = {}): Promise<AxiosResponse> {
    const { upstream, operation } = { upstream: this.o.upstream, operation: request.operation };
    const deadline = options.deadline ?? Deadline.after(this.o.clock, options.timeoutMs ?? this.o.defaultTimeoutMs, options.signal);
    const idempotent = options.idempotent ?? idempotentByDefault(request.method);
    for (let attempt = 1; ; attempt += 1) {
      if (deadline.expired()) throw this.timeout(operation, attempt - 1, deadline);
      const slot = this.o.pacer.acquire(deadline, operation);
      if (slot) await (this.o.metrics ? this.o.metrics.paced(this.o, slot) : slot);
      const remaining = deadline.remainingMs();
      if (remaining <= 0) throw this.timeout(operation, attempt - 1, deadline);
      const timeout = Math.max(1, Math.min(remaining, options.attemptTimeoutMs ?? remaining));
      const started = performance.now();
      let outcome: AttemptOutcome;
      let res: AxiosResponse | undefined;
      let cause: unknown;
      try {
        res = await authorizedSend(
          this.o.credentials,
          operation,
          (authorization) =>
            this.o.http.request({
              method: request.method,
              url: request.path,
              params: request.query,
              data: request.body,
              timeout,
              signal: deadline.signal,
              headers: { Authorization: authorization, ...(request.body === undefined ? {} : { 'Content-Type': 'application/json' }) },
            }),
          (wait) => deadline.bound(wait, () => this.timeout(operation, attempt - 1, deadline)),
        );
        this.o.pacer.observe(res.status, res.headers as Record<string, unknown>);
        this.o.metrics?.attempt(this.o, operation, outcomeLabel(res.status), (performance.now() - started) / 1000);
        if (res.status >= 200 && res.status < 300) return res;
        const retryAfterMs = retryAfterOf(res, this.o.clock.now());
        outcome = { kind: 'response', status: res.status, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
      } catch (err) {
        if (err instanceof AppError) throw err;
        cause = err;
        outcome = { kind: 'network', failure: classifyNetworkError(err) };
        this.o.metrics?.attempt(this.o, operation, outcomeLabel(undefined, outcome.failure), (performance.now() - started) / 1000);
      }
      const decision = decideRetry(outcome, { attempt, idempotent, remainingMs: deadline.remainingMs(), backoffMs: this.o.backoffMs });
      if (!decision.retry) throw this.finalError({ operation, outcome, res, cause, attempt, idempotent, deadline });
      this.o.metrics?.retry(this.o, decision.reason);
      this.log?.info('retrying upstream call', { upstream, operation, reason: decision.reason, attempt, waitMs: decision.waitMs });
      try {
        await this.o.clock.sleep(decision.waitMs, deadline.signal);
      } catch {
        throw this.timeout(operation, attempt, deadline);
      }
    }
  }

  /** `call` for JSON APIs: the parsed body of a 2xx, or an upstream_error when it is not JSON. */
  async send(request: UpstreamRequest, options?: CallOptions): Promise<UpstreamReply> {
    const res = await this.call(request, options);
    if (typeof res.data === 'string' && res.data.trim() !== '') {
      throw new UpstreamError(`${this.o.upstream} answered ${request.operation} with a body that is not JSON`, {
        upstream: this.o.upstream,
        operation: request.operation,
        status: res.status,
        body: res.data.slice(0, 200),
      });
    }
    return { status: res.status, body: res.data === '' ? undefined : res.data };
  }

  private timeout(operation: string, attempts: number, deadline: Deadline): AppError {
    const why = deadline.signal?.aborted ? 'the caller went away' : "the action's deadline passed";
    return new UpstreamTimeoutError(`${this.o.upstream} ${operation} did not complete: ${why}`, {
      upstream: this.o.upstream,
      operation,
      attempts,
    });
  }

  private finalError(f: {
    operation: string;
    outcome: AttemptOutcome;
    res?: AxiosResponse;
    cause: unknown;
    attempt: number;
    idempotent: boolean;
    deadline: Deadline;
  }): AppError {
    const { upstream } = this.o;
    const { operation, outcome, attempt } = f;
    if (outcome.kind === 'response' && f.res) {
      if (outcome.status === 429) {
        const waitMs = outcome.retryAfterMs ?? 3_000;
        const base = errorFromResponse(upstream, operation, f.res);
        return new RateLimitedError(
          `${upstream} is rate limiting ${operation} for ${Math.ceil(waitMs / 1000)} s, longer than this action may wait`,
          waitMs / 1000,
          [{ ...base.details[0]!, attempts: attempt }],
        );
      }
      if (outcome.status === 403 && this.o.forbidden) {
        const { message, evidence } = this.o.forbidden(operation, f.res.data);
        const err = withAttempts(errorFromResponse(upstream, operation, f.res, message), attempt);
        Object.assign(err.details[0]!, evidence);
        return err;
      }
      return withAttempts(errorFromResponse(upstream, operation, f.res), attempt);
    }
    const failure = outcome.kind === 'network' ? outcome.failure : 'other';
    const unknownOutcome = !f.idempotent && (failure === 'timeout' || failure === 'reset' || failure === 'other');
    const evidence = { upstream, operation, attempts: attempt, ...(unknownOutcome ? { processed: 'unknown' as const } : {}) };
    if (failure === 'timeout' || failure === 'aborted') {
      const why = failure === 'aborted' ? 'the caller went away' : 'no answer before the deadline';
      return new UpstreamTimeoutError(`${upstream} did not answer ${operation} in time (${why})`, evidence, f.cause);
    }
    return new UpstreamUnavailableError(
      `${upstream} cannot be reached (${networkErrorCode(f.cause) ?? 'network error'})`,
      evidence,
      f.cause,
    );
  }
}

function withAttempts(err: AppError, attempts: number): AppError {
  if (err.details[0]) err.details[0].attempts = attempts;
  return err;
}
