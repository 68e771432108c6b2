import type { ServerResponse } from 'node:http';

/** Which answers to hold: an HTTP method and a path prefix, each optional (absent matches all). */
export interface AnswerHoldOptions {
  method?: string;
  /** e.g. `/api/now/table/incident/` (updates of any incident). */
  path?: string;
}

/** A request whose answer is being held: it has been applied, and the client has not heard. */
export interface HeldAnswer {
  method: string;
  path: string;
  at: number;
}

/**
 * The "answer lost after the instance applied it" fault: a matching request is served as usual, but
 * its answer is kept back until release() (or restore/reset). A client killed meanwhile never learns
 * that its write went through, which is the window a crash test needs to hit deterministically.
 */
export class AnswerHold {
  private filter: AnswerHoldOptions | null = null;
  private waiters: Array<() => void> = [];
  /** Told of every answer held (the control re-emits it as 'held'). */
  onHeld: (held: HeldAnswer) => void = () => undefined;

  set(options: AnswerHoldOptions): AnswerHoldOptions {
    this.filter = { ...options, method: options.method?.toUpperCase() };
    return { ...this.filter };
  }

  current(): AnswerHoldOptions | null {
    return this.filter ? { ...this.filter } : null;
  }

  /** Stops holding and sends every held answer. */
  release(): void {
    this.filter = null;
    for (const wake of this.waiters.splice(0)) wake();
  }

  /** When the request matches, its answer is written only after release(). */
  intercept(res: ServerResponse, held: HeldAnswer): void {
    const f = this.filter;
    if (!f || (f.method && f.method !== held.method) || (f.path && !held.path.startsWith(f.path))) return;
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    res.end = ((...args: unknown[]) => {
      this.onHeld(held);
      this.waiters.push(() => end(...args));
      return res;
    }) as ServerResponse['end'];
  }
}
