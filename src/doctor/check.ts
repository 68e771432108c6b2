/** How one check of `trunkgate doctor` ended: `warn` is allowed (exit 0), `fail` is not (exit 1). */
export type CheckStatus = 'pass' | 'warn' | 'fail';

/** What a check found; `fix` (one sentence naming the setting or permission) comes with every warn and fail. */
export type CheckOutcome = { status: 'pass'; detail: string } | { status: 'warn' | 'fail'; detail: string; fix: string };

/** One line of the report (and one entry of `--json`'s `checks`). */
export interface CheckResult {
  name: string;
  status: CheckStatus;
  detail: string;
  fix: string | null;
}

/** The whole report, as `--json` prints it. */
export interface DoctorReport {
  ok: boolean;
  checks: CheckResult[];
}

/** One check: bounded by the runner, which aborts `signal` when its time is up. */
export interface Check {
  name: string;
  run(signal: AbortSignal): Promise<CheckOutcome>;
  /** The fix when the check does not finish in time (default: a generic one). */
  timeoutFix?: string;
}

/** A report line from a check's name and outcome. */
export function resultOf(name: string, outcome: CheckOutcome): CheckResult {
  return { name, status: outcome.status, detail: outcome.detail, fix: outcome.status === 'pass' ? null : outcome.fix };
}

export const pass = (detail: string): CheckOutcome => ({ status: 'pass', detail });
export const warn = (detail: string, fix: string): CheckOutcome => ({ status: 'warn', detail, fix });
export const fail = (detail: string, fix: string): CheckOutcome => ({ status: 'fail', detail, fix });

/**
 * Thrown by a check that cannot run because an earlier one failed (no token, host unreachable): it is
 * reported as a failure that points at that check, rather than as a second copy of its error.
 */
export class NotChecked extends Error {
  constructor(
    readonly prerequisite: string,
    readonly why: string,
  ) {
    super(`not checked: ${why}`);
    this.name = 'NotChecked';
  }

  outcome(): CheckOutcome {
    return fail(this.message, `fix ${this.prerequisite} first, then run the doctor again`);
  }
}

/** "850 ms", "1.2 s", "30 s", "5 min", "24 h": durations in details. */
export function duration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 10_000) return `${(ms / 1_000).toFixed(1)} s`;
  if (ms < 60_000) return `${Math.round(ms / 1_000)} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  const hours = ms / 3_600_000;
  return hours < 10 ? `${Number.isInteger(hours) ? hours : hours.toFixed(1)} h` : `${Math.round(hours)} h`;
}

/** "1 trunk", "3 trunks". */
export function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`;
}

/** The message of anything thrown, on one line. */
export function messageOf(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).replace(/\s*\n\s*/g, ' ');
}
