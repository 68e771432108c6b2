import type { Clock } from '../clock.js';
import type { OutageOptions, RateLimitStormOptions, TokenFaultOptions } from './control-input.js';

interface Timed {
  /** Epoch ms (simulator clock) when it started. */
  since: number;
  /** Epoch ms when it ends by itself; null = until restored. */
  until: number | null;
}

export type Outage = Omit<OutageOptions, 'durationMs'> & Timed;
export type RateLimitStorm = Omit<RateLimitStormOptions, 'durationMs'> & Timed;
export type TokenFault = Omit<TokenFaultOptions, 'durationMs'> & Timed;

/** The faults in force right now. */
export interface FaultSnapshot {
  outage: Outage | null;
  rateLimitStorm: RateLimitStorm | null;
  tokenFault: TokenFault | null;
}

/** Holds the injected faults; each one with a duration lapses when the clock passes its end. */
export class FaultState {
  private current: FaultSnapshot = { outage: null, rateLimitStorm: null, tokenFault: null };

  constructor(private readonly clock: Clock) {}

  private timed<T extends { durationMs?: number }>(options: T): Omit<T, 'durationMs'> & Timed {
    const { durationMs, ...rest } = options;
    const since = this.clock();
    return { ...rest, since, until: durationMs === undefined ? null : since + durationMs };
  }

  private live<K extends keyof FaultSnapshot>(key: K): FaultSnapshot[K] {
    const fault = this.current[key];
    if (fault && fault.until !== null && this.clock() >= fault.until) this.current[key] = null;
    return this.current[key];
  }

  setOutage(options: OutageOptions): Outage {
    const outage = this.timed(options);
    this.current.outage = outage;
    return { ...outage };
  }

  outage(): Outage | null {
    return this.live('outage');
  }

  setRateLimitStorm(options: RateLimitStormOptions): RateLimitStorm {
    const storm = this.timed(options);
    this.current.rateLimitStorm = storm;
    return { ...storm };
  }

  rateLimitStorm(): RateLimitStorm | null {
    return this.live('rateLimitStorm');
  }

  setTokenFault(options: TokenFaultOptions): TokenFault {
    const fault = this.timed(options);
    this.current.tokenFault = fault;
    return { ...fault };
  }

  tokenFault(): TokenFault | null {
    return this.live('tokenFault');
  }

  clearOutage(): void {
    this.current.outage = null;
  }

  clearAll(): void {
    this.current = { outage: null, rateLimitStorm: null, tokenFault: null };
  }

  snapshot(): FaultSnapshot {
    const copy = <T extends object>(v: T | null) => (v ? { ...v } : null);
    return { outage: copy(this.outage()), rateLimitStorm: copy(this.rateLimitStorm()), tokenFault: copy(this.tokenFault()) };
  }
}
