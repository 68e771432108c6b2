import type { IncidentKind } from './incident-store.js';
import type { TrunkRow } from '../trunks/trunk-store.js';
import type { TrunkSignal } from '../trunks/trunk-state.js';
import { formatDuration, formatTime } from './incident-format.js';
import { sipAnswerText } from '../trunks/sip-error-info.js';
import { stateWords, trunkLabel } from './incident-notes.js';

export { formatDuration, formatTime } from './incident-format.js';

/** The placeholders an incident template may use (`{{name}}` in mappings/incident.yaml). */
export const factNames = [
  'subjectName',
  'problem',
  'correlationId',
  'trunkName',
  'trunkId',
  'edge',
  'edgeName',
  'edgeId',
  'proxyAddress',
  'sipCode',
  'errorText',
  'sipAnswer',
  'state',
  'firstSeen',
  'rotationHint',
  'advice',
  'openAfter',
  'resolveAfter',
  'failureMessage',
  'healthySince',
  'lasted',
  'trunkBase',
  'trunkBaseName',
  'trunkBaseId',
  'signal',
  'affectedTrunks',
  'affectedCount',
  'subjectDetails',
] as const;
export type IncidentFacts = Record<(typeof factNames)[number], string>;

/** A failure within this long after a Genesys token rotation is flagged as a likely propagation race (docs/design.md, "Incidents"). */
export const ROTATION_RACE_MS = 120_000;

const UNKNOWN = 'unknown';

/** The problem in two or three words, naming the signal that shows it (REGISTER by default). */
export function problemText(kind: IncidentKind, signal: TrunkSignal | null = 'registration'): string {
  if (kind === 'credentials_failed') return 'Genesys credentials failing';
  const rejected = kind === 'registration_rejected';
  if (signal === 'options') return rejected ? 'SIP OPTIONS refused' : 'SIP OPTIONS unanswered';
  if (signal === 'connection') return rejected ? 'connection refused' : 'trunk disconnected';
  return rejected ? 'registration rejected' : 'registration dropped';
}

const SIGNAL_WORDS: Record<TrunkSignal, string> = {
  registration: 'SIP REGISTER answers',
  options: 'SIP OPTIONS pings (the trunk does not use registration)',
  connection: "the trunk's connection status (the trunk does not use registration)",
};

/** Where the last Genesys token rotation sits relative to the start of a failure. */
export function rotationHint(options: {
  failingSince: number;
  rotations: readonly number[];
  watchingSince: number;
  problem: string;
  registration?: boolean;
}): { text: string; likelyPropagation: boolean } {
  const before = options.rotations.filter((r) => r <= options.failingSince);
  const last = before.length > 0 ? Math.max(...before) : undefined;
  if (last === undefined)
    return {
      text: `no Genesys token rotation seen since trunkgate started (${formatTime(options.watchingSince)})`,
      likelyPropagation: false,
    };
  const gap = options.failingSince - last;
  // The race breaks what a new token authorises (REGISTER); OPTIONS pings and the connection are not affected.
  if (options.registration === false) {
    return {
      text: `the last Genesys token rotation was ${formatDuration(gap)} before the failure began (${formatTime(last)}); this trunk does not use registration, which a rotation could affect`,
      likelyPropagation: false,
    };
  }
  if (gap <= ROTATION_RACE_MS) {
    return {
      text: `${options.problem} ${formatDuration(gap)} after the Genesys token rotated (${formatTime(last)}) — likely credential propagation`,
      likelyPropagation: true,
    };
  }
  return {
    text: `the last Genesys token rotation was ${formatDuration(gap)} before the failure began (${formatTime(last)}), so it is unlikely to be the cause`,
    likelyPropagation: false,
  };
}

function trunkAdvice(kind: IncidentKind, signal: TrunkSignal | null, sipCode: number | null, likelyPropagation: boolean): string {
  if (signal === 'options' || signal === 'connection') {
    return kind === 'registration_rejected'
      ? "The carrier's proxy refuses the Edge's SIP OPTIONS pings. Check the carrier's IP allow-list for the Edge's public address and the trunk's SIP settings (Genesys Cloud Admin > Telephony > Trunks > External Trunks), and ask the carrier whether the account is active."
      : "The carrier's proxy does not answer the Edge's SIP OPTIONS pings, or the trunk is disconnected. Check that the Edge is online (Genesys Cloud Admin > Telephony > Edges), its network path to the proxy (firewall, DNS, TLS certificate) and the carrier's status page.";
  }
  if (kind === 'registration_dropped') {
    return "The carrier's proxy gives no positive answer to REGISTER. Check that the Edge is online (Genesys Cloud Admin > Telephony > Edges), its network path to the proxy (firewall, DNS, TLS certificate) and the carrier's status page.";
  }
  const race = likelyPropagation
    ? 'This began right after the Genesys token rotated and usually clears by itself within a few minutes; if it lasts longer, '
    : '';
  const check =
    sipCode === 401 || sipCode === 407
      ? 'check the SIP user name, password and realm configured on the trunk (Genesys Cloud Admin > Telephony > Trunks > External Trunks).'
      : sipCode === 404
        ? "check the trunk's registration user and domain: the carrier does not know them."
        : "check the trunk's SIP credentials and the carrier's IP allow-list for the Edge's public address, and ask the carrier whether the account is active.";
  return race ? `${race}${check}` : check.charAt(0).toUpperCase() + check.slice(1);
}

export interface FactSettings {
  openAfterMs: number;
  resolveAfterMs: number;
}

/** What the facts of a trunk or trunk-base incident are drawn from. */
export interface TrunkSubjectFacts {
  /** Set for a trunk-base incident (one carrier on several Edges). */
  trunkBase: { id: string; name: string | null } | null;
  /** The subject's listed trunks. */
  members: TrunkRow[];
  /** The trunks the incident concerns (failing now or earlier in it), the first failing one first. */
  affected: TrunkRow[];
}

/** Facts of a trunk or trunk-base incident, from the latest state of its trunks. */
export function trunkFacts(
  subject: TrunkSubjectFacts,
  options: FactSettings & { kind: IncidentKind; correlationId: string; rotations: readonly number[]; watchingSince: number; now: number },
): IncidentFacts {
  const { trunkBase, members, affected } = subject;
  // The trunk the helpdesk reads about first: a failing one if any, else the first concerned.
  const lead = affected.find((t) => t.state === 'rejected' || t.state === 'dropped') ?? affected[0] ?? members[0]!;
  const failingNow = members.filter((t) => t.state === 'rejected' || t.state === 'dropped');
  const episodes = [...members, ...affected].map((t) => t.failingSince).filter((at): at is number => at !== null);
  const failingSince = episodes.length > 0 ? Math.min(...episodes) : lead.since;
  const healthy = members.length > 0 && failingNow.length === 0 ? Math.max(...members.map((t) => t.healthySince ?? t.since)) : null;
  const baseProblem = problemText(options.kind, lead.signal);
  const problem =
    trunkBase && members.length > 1 ? `${baseProblem} on ${Math.max(failingNow.length, 1)} of ${members.length} trunks` : baseProblem;
  const hint = rotationHint({
    failingSince,
    rotations: options.rotations,
    watchingSince: options.watchingSince,
    problem: baseProblem,
    registration: lead.signal === 'registration' || lead.signal === null,
  });
  const name = lead.name ?? lead.trunkId;
  const sipAnswer = sipAnswerText(lead.sipCode, lead.errorText);
  const baseText = trunkBase
    ? `${trunkBase.name ?? UNKNOWN} (id ${trunkBase.id})`
    : lead.trunkBaseId
      ? `${lead.trunkBaseName ?? UNKNOWN} (id ${lead.trunkBaseId})`
      : UNKNOWN;
  const affectedTrunks = affected.map((t) => `- ${trunkLabel(t)}: ${stateWords(t)}`).join('\n');
  const trunkDetails = [
    `Trunk: ${name} (id ${lead.trunkId})`,
    `Edge: ${lead.edgeId ? `${lead.edgeName ?? UNKNOWN} (id ${lead.edgeId})` : UNKNOWN}`,
    `Proxy: ${lead.proxyAddress ?? UNKNOWN}`,
    `SIP answer: ${sipAnswer}`,
  ];
  const baseDetails = [
    `Trunk base (carrier): ${baseText}`,
    `Affected trunks (${affected.length} of ${members.length || affected.length}):`,
    affectedTrunks,
  ];
  return {
    subjectName: trunkBase ? `SIP trunk base ${trunkBase.name ?? trunkBase.id}` : `SIP trunk ${name}`,
    problem,
    correlationId: options.correlationId,
    trunkName: name,
    trunkId: lead.trunkId,
    edge: lead.edgeId ? `${lead.edgeName ?? UNKNOWN} (id ${lead.edgeId})` : UNKNOWN,
    edgeName: lead.edgeName ?? UNKNOWN,
    edgeId: lead.edgeId ?? UNKNOWN,
    proxyAddress: lead.proxyAddress ?? UNKNOWN,
    sipCode: lead.sipCode === null ? 'none' : String(lead.sipCode),
    errorText: lead.errorText ?? 'none',
    sipAnswer,
    state: lead.state,
    firstSeen: formatTime(failingSince),
    rotationHint: hint.text,
    advice: trunkAdvice(options.kind, lead.signal, lead.sipCode, hint.likelyPropagation),
    openAfter: formatDuration(options.openAfterMs),
    resolveAfter: formatDuration(options.resolveAfterMs),
    failureMessage: lead.errorText ?? 'none',
    healthySince: healthy === null ? 'not yet' : formatTime(healthy),
    lasted: healthy === null ? formatDuration(options.now - failingSince) : formatDuration(healthy - failingSince),
    trunkBase: baseText,
    trunkBaseName: trunkBase?.name ?? lead.trunkBaseName ?? UNKNOWN,
    trunkBaseId: trunkBase?.id ?? lead.trunkBaseId ?? UNKNOWN,
    signal: lead.signal ? SIGNAL_WORDS[lead.signal] : UNKNOWN,
    affectedTrunks,
    affectedCount: String(affected.length),
    subjectDetails: (trunkBase ? baseDetails : trunkDetails).join('\n'),
  };
}
