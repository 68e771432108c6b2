import type { TrunkEventRow, TrunkRow } from '../store/store.js';
import type { TrunkState } from '../trunks/trunk-state.js';
import { formatDuration, formatTime, sipAnswerText } from './incident-facts.js';

/** Work-note texts: what changed, in words a helpdesk can act on. */

const MAX_LISTED_CHANGES = 10;

function stateWords(state: TrunkState, sipCode: number | null, errorText: string | null, proxy: string | null): string {
  const at = proxy ? ` at proxy ${proxy}` : '';
  switch (state) {
    case 'rejected':
      return `registration rejected (${sipAnswerText(sipCode, errorText)})${at}`;
    case 'dropped':
      return `registration dropped (${errorText ?? 'no answer to REGISTER'})${at}`;
    case 'registered':
      return 'registered';
    default:
      return 'state unknown (Genesys Cloud reports no registration status)';
  }
}

/**
 * A note on a trunk's incident: the changes since the last note (oldest first, the latest few) and
 * where the trunk stands now. `changes` counts every change, including those not listed.
 */
export function trunkChangeNote(options: { trunk: TrunkRow; events: TrunkEventRow[]; changes: number; since: number | null; resolveAfterMs: number }): string {
  const { trunk, events } = options;
  const lines: string[] = [];
  const listed = [...events].slice(0, MAX_LISTED_CHANGES).reverse();
  if (options.changes > 1 && listed.length > 0) {
    const since = options.since === null ? '' : ` since ${formatTime(options.since)}`;
    lines.push(`Trunk state changed ${options.changes} times${since}${options.changes > listed.length ? ` (latest ${listed.length} shown)` : ''}:`);
    for (const e of listed) lines.push(`- ${formatTime(e.at)}: ${stateWords(e.state, e.sipCode, e.errorText, e.proxyAddress)}`);
  }
  lines.push(`Now: ${stateWords(trunk.state, trunk.sipCode, trunk.errorText, trunk.proxyAddress)}, since ${formatTime(trunk.since)}.`);
  if (trunk.state === 'registered') {
    lines.push(`trunkgate resolves this incident once the trunk has stayed registered for ${formatDuration(options.resolveAfterMs)}.`);
  }
  return lines.join('\n');
}

/** The note that reopens a resolved incident. */
export function reopenNote(options: { what: string; resolvedAt: number; failedAt: number; reopenWindowMs: number }): string {
  return [
    `Relapse at ${formatTime(options.failedAt)}, ${formatDuration(options.failedAt - options.resolvedAt)} after this incident was resolved: ${options.what}.`,
    `Reopened by trunkgate (a failure within ${formatDuration(options.reopenWindowMs)} of a resolve reopens the same incident).`,
  ].join('\n');
}

/** The state of a trunk in one phrase, for reopen notes and alerts. */
export function trunkStateWords(trunk: TrunkRow): string {
  return stateWords(trunk.state, trunk.sipCode, trunk.errorText, trunk.proxyAddress);
}

/** A note on the credentials incident. */
export function credentialsNote(options: { failing: boolean; message: string; changes: number; at: number; resolveAfterMs: number }): string {
  const count = options.changes > 1 ? ` (${options.changes} changes since the last note)` : '';
  return options.failing
    ? `${formatTime(options.at)}: still failing${count}: ${options.message}`
    : `${formatTime(options.at)}: Genesys Cloud tokens work again${count}. trunkgate resolves this incident once they have worked for ${formatDuration(options.resolveAfterMs)}.`;
}
