import { systemClock, type Clock, type Timer } from '../time/clock.js';
import { duration, fail, messageOf, NotChecked, resultOf, type Check, type CheckOutcome, type CheckResult } from './check.js';

export interface RunnerOptions {
  /** Longest one check may take (10 s). */
  checkTimeoutMs: number;
  /** Longest the whole run may take; a check starting late gets what is left, one starting after it none. */
  budgetMs: number;
  /** Time as the runner sees it (tests drive it by hand). */
  clock?: Clock;
}

export const DEFAULT_RUNNER_OPTIONS: RunnerOptions = { checkTimeoutMs: 10_000, budgetMs: 50_000 };

/**
 * Runs the lanes side by side, the checks of one lane one after the other (a lane's later checks use what
 * its earlier ones found), each bounded: when its time is up its signal is aborted and it is reported as
 * failed, whatever it was waiting for. Results come in lane order, whatever order they finished in.
 */
export async function runChecks(lanes: Check[][], options: RunnerOptions = DEFAULT_RUNNER_OPTIONS): Promise<CheckResult[]> {
  const clock = options.clock ?? systemClock;
  const deadline = clock.monotonic() + options.budgetMs;
  const results = await Promise.all(
    lanes.map(async (lane) => {
      const out: CheckResult[] = [];
      for (const check of lane) {
        const left = deadline - clock.monotonic();
        const outcome =
          left <= 0
            ? fail(
                `not checked: the doctor's ${duration(options.budgetMs)} ran out before this check`,
                'fix the checks that did not finish in time (above), then run the doctor again',
              )
            : await runOne(check, Math.min(options.checkTimeoutMs, left), clock);
        out.push(resultOf(check.name, outcome));
      }
      return out;
    }),
  );
  return results.flat();
}

async function runOne(check: Check, limitMs: number, clock: Clock): Promise<CheckOutcome> {
  const controller = new AbortController();
  let timer: Timer | undefined;
  const timedOut = new Promise<CheckOutcome>((resolve) => {
    timer = clock.setTimer(limitMs, () => {
      controller.abort(new Error(`${check.name} did not finish within ${duration(limitMs)}`));
      resolve(
        fail(
          `did not finish within ${duration(limitMs)}`,
          check.timeoutFix ?? 'check the network path to the service this check calls, then run the doctor again',
        ),
      );
    });
  });
  const ran = check.run(controller.signal).catch((err: unknown): CheckOutcome => {
    if (err instanceof NotChecked) return err.outcome();
    if (controller.signal.aborted)
      return fail(
        `did not finish within ${duration(limitMs)}`,
        check.timeoutFix ?? 'check the network path to the service this check calls',
      );
    return fail(
      `the check itself failed: ${messageOf(err)}`,
      'run the doctor again with LOG_LEVEL=debug and report the detail as a trunkgate bug',
    );
  });
  try {
    return await Promise.race([ran, timedOut]);
  } finally {
    timer?.cancel();
  }
}
