import { EventEmitter } from 'node:events';
import type { IncomingHttpHeaders } from 'node:http';
import type { AnswerHoldOptions, HeldAnswer } from './answer-hold.js';
import {
  parseAnswerHold,
  parseOutage,
  parseRateLimitRule,
  parseRateLimitStorm,
  parseTokenFault,
  parseTokenLifetime,
} from './control-input.js';
import type { OutageOptions, RateLimitStormOptions, TokenFaultOptions } from './control-input.js';
import type { FaultSnapshot, Outage, RateLimitStorm, TokenFault } from './fault-state.js';
import type { SimIncident } from './incident-table.js';
import type { RateLimitRuleOptions } from './options.js';
import type { RateLimitRule } from './rate-limiter.js';
import { copyStats, emptyStats } from './sim-stats.js';
import type { ServiceNowSimStats } from './sim-stats.js';
import type { SimState } from './sim-state.js';

/** Emitted when a request reaches the instance (not for control requests); `at` is simulator-clock epoch ms. */
export interface SimRequestEvent {
  method: string;
  path: string;
  at: number;
  /** The raw query string, without `?` ('' when none). */
  query: string;
  /** The request's headers as received. */
  headers: IncomingHttpHeaders;
}

/** Emitted when the answer to such a request has been written. */
export interface SimResponseEvent extends SimRequestEvent {
  status: number;
  finishedAt: number;
}

/** Faults and settings in force, for GET /__sim/servicenow/state. */
export interface SimControlState extends FaultSnapshot {
  /** Answers held back after their request was applied (see holdAnswers). */
  answerHold: AnswerHoldOptions | null;
  listening: boolean;
  rateLimitRule: RateLimitRule | null;
  tokenLifetimeSec: number;
}

const RESUME_RETRY_MS = 100;
const REFUSED_POLL_MS = 50;

/**
 * Fault injection and inspection for one simulated instance. Events: 'request' (SimRequestEvent),
 * 'response' (SimResponseEvent), 'held' (HeldAnswer: a request was applied and its answer is kept
 * back), 'restored' (a refused outage ended and the port listens again).
 */
export class ServiceNowSimControl extends EventEmitter {
  private timer: NodeJS.Timeout | null = null;
  private disposed = false;

  constructor(private readonly state: SimState) {
    super();
    state.hold.onHeld = (held) => this.emit('held', held);
  }

  override on(event: 'request', listener: (e: SimRequestEvent) => void): this;
  override on(event: 'response', listener: (e: SimResponseEvent) => void): this;
  override on(event: 'held', listener: (e: HeldAnswer) => void): this;
  override on(event: 'restored', listener: () => void): this;
  override on(event: string | symbol, listener: (...args: never[]) => void): this {
    return super.on(event, listener as (...args: unknown[]) => void);
  }

  /** Starts an outage, replacing any other; 'refused' resolves once the port is closed. */
  async outage(options: OutageOptions): Promise<Outage> {
    const parsed = parseOutage(options);
    this.clearTimer();
    const outage = this.state.faults.setOutage(parsed);
    const server = this.state.server;
    if (parsed.mode === 'refused') {
      await server?.stopListening();
      if (outage.until !== null) this.watchRefused(outage.until);
    } else if (server && !server.listening) {
      await this.resume();
    }
    return outage;
  }

  /** Ends every fault (outage, storm, token fault, held answers) and listens again if the port was closed. */
  async restore(): Promise<void> {
    this.clearTimer();
    this.state.faults.clearAll();
    this.state.hold.release();
    await this.resume();
  }

  /**
   * From now on, a request matching `options` (method, path prefix) is applied as usual but its answer
   * is kept back until releaseAnswers(): the client does not learn that its write went through.
   */
  holdAnswers(options: AnswerHoldOptions = {}): AnswerHoldOptions {
    return this.state.hold.set(parseAnswerHold(options));
  }

  /** Sends every held answer and stops holding. */
  releaseAnswers(): void {
    this.state.hold.release();
  }

  /** Every /api/now call answers 429 with this Retry-After until it ends. */
  rateLimitStorm(options: RateLimitStormOptions): RateLimitStorm {
    return this.state.faults.setRateLimitStorm(parseRateLimitStorm(options));
  }

  /** Sets (or with null removes) the per-user rule; counts start again. */
  setRateLimit(rule: RateLimitRuleOptions | null): RateLimitRule | null {
    return this.state.limiter.setRule(rule === null ? null : parseRateLimitRule(rule));
  }

  tokenFault(options: TokenFaultOptions): TokenFault {
    return this.state.faults.setTokenFault(parseTokenFault(options));
  }

  /** Lifetime of tokens minted from now on. */
  setTokenLifetime(seconds: number): void {
    this.state.tokens.setLifetime(parseTokenLifetime({ seconds }));
  }

  /** Every token handed out so far answers 401 from now on. */
  revokeTokens(): void {
    this.state.tokens.revokeAll();
  }

  incidents(): SimIncident[] {
    return this.state.table.snapshot();
  }

  stats(): ServiceNowSimStats {
    return copyStats(this.state.stats);
  }

  resetStats(): void {
    Object.assign(this.state.stats, emptyStats());
  }

  /** Back to a fresh instance: no incidents, tokens, faults or counts; configured rule and lifetime. */
  async reset(): Promise<void> {
    await this.restore();
    this.state.table.reset();
    this.state.tokens.reset();
    this.state.limiter.setRule(this.state.config.rateLimit);
    this.resetStats();
  }

  describe(): SimControlState {
    return {
      ...this.state.faults.snapshot(),
      answerHold: this.state.hold.current(),
      listening: this.state.server?.listening ?? false,
      rateLimitRule: this.state.limiter.currentRule(),
      tokenLifetimeSec: this.state.tokens.tokenLifetimeSec,
    };
  }

  /** Stops timers; called by close(). */
  dispose(): void {
    this.disposed = true;
    this.clearTimer();
  }

  // The clock may be simulated, so the end of a refused outage is polled against it rather than timed.
  private watchRefused(until: number): void {
    const tick = () => {
      this.timer = null;
      const remaining = until - this.state.config.clock();
      if (remaining > 0 && this.state.faults.outage()?.mode === 'refused') {
        this.timer = setTimeout(tick, Math.min(remaining, REFUSED_POLL_MS));
        return;
      }
      if (this.state.faults.outage()?.mode === 'refused') this.state.faults.clearOutage();
      void this.resume();
    };
    this.timer = setTimeout(tick, Math.max(0, Math.min(until - this.state.config.clock(), REFUSED_POLL_MS)));
  }

  private async resume(): Promise<void> {
    const server = this.state.server;
    if (!server || server.listening || this.disposed) return;
    try {
      await server.resumeListening();
      this.emit('restored');
    } catch {
      // The port may be briefly held by someone else; try again until it is free or the sim closes.
      this.timer = setTimeout(() => {
        this.timer = null;
        void this.resume();
      }, RESUME_RETRY_MS);
    }
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
