import type { Clock, Timer } from './clock.js';

/**
 * Runs `work` every `everyMs` once started, one run at a time: `run()` runs it now (sharing a run in
 * flight), `stop()` cancels the timer and waits for the run in progress. A run that fails goes to
 * `onError` and the next one happens on time.
 */
export class Periodic {
  private timer?: Timer;
  private running?: Promise<void>;

  constructor(
    private readonly clock: Clock,
    private readonly everyMs: number,
    private readonly work: () => Promise<void>,
    private readonly onError: (err: unknown) => void,
  ) {}

  run(): Promise<void> {
    this.running ??= this.work()
      .catch(this.onError)
      .finally(() => (this.running = undefined));
    return this.running;
  }

  /** Runs every `everyMs` from now (and at once too, with `immediately`). */
  start(options: { immediately?: boolean } = {}): void {
    if (this.timer) return;
    const loop = () => {
      this.timer = this.clock.setTimer(this.everyMs, () => {
        void this.run().finally(() => {
          if (this.timer) loop();
        });
      });
    };
    loop();
    if (options.immediately) void this.run();
  }

  async stop(): Promise<void> {
    this.timer?.cancel();
    this.timer = undefined;
    await this.running;
  }
}
