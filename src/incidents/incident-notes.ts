import type { TrunkEventRow, TrunkRow } from '../trunks/trunk-store.js';
import type { TrunkSignal, TrunkState } from '../trunks/trunk-state.js';
import { formatDuration, formatTime } from './incident-format.js';
import { sipAnswerText } from '../trunks/sip-error-info.js';

/** Work-note texts: what changed, in words a helpdesk can act on. */

const MAX_LISTED_CHANGES = 10;

/** What a state says, naming the signal it was judged on (REGISTER, SIP OPTIONS, the connection). */
export function stateWords(s: {
  state: TrunkState;
  signal: TrunkSignal | null;
  sipCode: number | null;
  errorText: string | null;
  proxyAddress: string | null;
}): string {
  const at = s.proxyAddress ? ` at proxy ${s.proxyAddress}` : '';
  const to = s.proxyAddress ? ` to ${s.proxyAddress}` : '';
  switch (s.state) {
    case 'rejected':
      return s.signal === 'options'
        ? `SIP OPTIONS${to} refused (${sipAnswerText(s.sipCode, s.errorText)})`
        : `registration rejected (${sipAnswerText(s.sipCode, s.errorText)})${at}`;
    case 'dropped':
      if (s.signal === 'options') return `SIP OPTIONS${to} unanswered${s.sipCode !== null ? ` (${s.sipCode})` : ''}`;
      if (s.signal === 'connection') return 'trunk disconnected';
      return `registration dropped (${s.errorText ?? 'no answer to REGISTER'})${at}`;
    case 'registered':
      return 'registered';
    case 'connected':
      return s.signal === 'options' ? 'connected (SIP OPTIONS answered; registration not used)' : 'connected (registration not used)';
    default:
      return s.errorText ? `state unknown: ${s.errorText}` : 'state unknown (Genesys Cloud reports no status for it)';
  }
}

/** "Lumen SIP - NYC (id a1…) on Edge edge-nyc-01 (id e…)": which trunk, on which Edge. */
export function trunkLabel(t: TrunkRow): string {
  const edge = t.edgeId ? ` on Edge ${t.edgeName ?? 'unknown'} (id ${t.edgeId})` : '';
  return `${t.name ?? t.trunkId} (id ${t.trunkId})${edge}`;
}

/**
 * A note on an incident: the changes of its trunks since the last note (oldest first, the latest
 * few) and where each trunk stands now. `changes` counts every change, including those not listed.
 * With several trunks (a trunk base), each line names its trunk and Edge.
 */
export function changeNote(options: {
  members: TrunkRow[];
  events: TrunkEventRow[];
  changes: number;
  since: number | null;
  resolveAfterMs: number;
}): string {
  const { members, events } = options;
  const several = members.length > 1;
  const byId = new Map(members.map((t) => [t.trunkId, t]));
  const lines: string[] = [];
  const listed = [...events]
    .sort((a, b) => b.at - a.at || b.id - a.id)
    .slice(0, MAX_LISTED_CHANGES)
    .reverse();
  if (options.changes > 1 && listed.length > 0) {
    const since = options.since === null ? '' : ` since ${formatTime(options.since)}`;
    lines.push(
      `Trunk state changed ${options.changes} times${since}${options.changes > listed.length ? ` (latest ${listed.length} shown)` : ''}:`,
    );
    for (const e of listed) {
      const who = several ? `${byId.get(e.trunkId)?.name ?? e.trunkId}: ` : '';
      lines.push(`- ${formatTime(e.at)}: ${who}${stateWords(e)}`);
    }
  }
  if (several) {
    lines.push('Now:');
    for (const t of members) lines.push(`- ${trunkLabel(t)}: ${stateWords(t)}, since ${formatTime(t.since)}`);
  } else if (members[0]) {
    lines.push(`Now: ${stateWords(members[0])}, since ${formatTime(members[0].since)}.`);
  }
  if (members.length > 0 && members.every((t) => t.state === 'registered' || t.state === 'connected')) {
    const who = several ? 'every trunk has stayed healthy' : `the trunk has stayed ${members[0]!.state}`;
    lines.push(`trunkgate resolves this incident once ${who} for ${formatDuration(options.resolveAfterMs)}.`);
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
  return stateWords(trunk);
}
