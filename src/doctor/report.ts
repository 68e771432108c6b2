import { REDACTED } from '../log/redact.js';
import { count, duration, type CheckResult, type DoctorReport } from './check.js';

const MARK = { pass: '✔', warn: '!', fail: '✘' } as const;

/** Exit codes: no check failed (warnings allowed), one failed, the configuration is invalid (EX_CONFIG, as npm start). */
export const EXIT = { ok: 0, failed: 1, usage: 2, config: 78 } as const;

export function reportOf(checks: CheckResult[]): DoctorReport {
  return { ok: checks.every((c) => c.status !== 'fail'), checks };
}

/**
 * Replaces every known secret (passwords, client secrets, URLs that carry one, the tokens the doctor
 * obtained) wherever it appears, whatever a vendor's answer echoed: the report is shown and pasted.
 */
export function scrub(checks: CheckResult[], secrets: Array<string | undefined>): CheckResult[] {
  const known = [...new Set(secrets.filter((s): s is string => typeof s === 'string' && s.length >= 6))].sort(
    (a, b) => b.length - a.length,
  );
  const clean = (text: string) => known.reduce((t, secret) => t.split(secret).join(REDACTED), text);
  return checks.map((c) => ({ ...c, detail: clean(c.detail), fix: c.fix === null ? null : clean(c.fix) }));
}

/** One line per check (`✔`, `!`, `✘`), the fix under each warning and failure, then a summary. */
export function humanReport(report: DoctorReport, elapsedMs: number): string {
  const width = Math.max(...report.checks.map((c) => c.name.length)) + 2;
  const lines: string[] = [];
  for (const check of report.checks) {
    const [first, ...rest] = check.detail.split('\n');
    lines.push(`${MARK[check.status]} ${check.name.padEnd(width)}${first}`);
    for (const line of rest) lines.push(`${' '.repeat(width + 2)}${line}`);
    if (check.fix !== null) lines.push(`${' '.repeat(width + 2)}fix: ${check.fix}`);
  }
  const tally = (status: CheckResult['status']) => report.checks.filter((c) => c.status === status).length;
  lines.push(
    '',
    `${count(tally('pass'), 'check')} passed, ${count(tally('warn'), 'warning')}, ${tally('fail')} failed (${duration(elapsedMs)})`,
  );
  return `${lines.join('\n')}\n`;
}

/** `{"ok", "checks": [{"name", "status", "detail", "fix"}]}`, and nothing else. */
export function jsonReport(report: DoctorReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
