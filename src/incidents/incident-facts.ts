import type { IncidentKind, TrunkRow } from '../store/store.js';
import type { AccessProblem, PermissionProblem } from './genesys-access.js';

/** The placeholders an incident template may use (`{{name}}` in mappings/incident.yaml). */
export const factNames = [
  'subjectName', 'problem', 'correlationId', 'trunkName', 'trunkId', 'edge', 'edgeName', 'edgeId', 'proxyAddress',
  'sipCode', 'errorText', 'sipAnswer', 'state', 'firstSeen', 'rotationHint', 'advice', 'openAfter', 'resolveAfter',
  'failureMessage', 'healthySince', 'lasted',
] as const;
export type IncidentFacts = Record<(typeof factNames)[number], string>;

/** A failure within this long after a Genesys token rotation is flagged as a likely propagation race (BRIEF §3.5). */
export const ROTATION_RACE_MS = 120_000;

const UNKNOWN = 'unknown';

/** "2026-01-01 12:00:03 UTC": unambiguous for a helpdesk in any time zone. */
export function formatTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** "4 s", "2 min 5 s", "1 h 3 min", "2 d 3 h". */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m} min ${s % 60} s` : `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

export function problemText(kind: IncidentKind): string {
  return kind === 'registration_rejected' ? 'registration rejected' : kind === 'registration_dropped' ? 'registration dropped' : 'Genesys credentials failing';
}

/** Where the last Genesys token rotation sits relative to the start of a failure. */
export function rotationHint(options: { failingSince: number; rotations: readonly number[]; watchingSince: number; problem: string }): { text: string; likelyPropagation: boolean } {
  const before = options.rotations.filter((r) => r <= options.failingSince);
  const last = before.length > 0 ? Math.max(...before) : undefined;
  if (last === undefined) return { text: `no Genesys token rotation seen since trunkgate started (${formatTime(options.watchingSince)})`, likelyPropagation: false };
  const gap = options.failingSince - last;
  if (gap <= ROTATION_RACE_MS) {
    return { text: `${options.problem} ${formatDuration(gap)} after the Genesys token rotated (${formatTime(last)}) — likely credential propagation`, likelyPropagation: true };
  }
  return { text: `the last Genesys token rotation was ${formatDuration(gap)} before the failure began (${formatTime(last)}), so it is unlikely to be the cause`, likelyPropagation: false };
}

function trunkAdvice(kind: IncidentKind, sipCode: number | null, likelyPropagation: boolean): string {
  if (kind === 'registration_dropped') {
    return "The carrier's proxy gives no positive answer to REGISTER. Check that the Edge is online (Genesys Cloud Admin > Telephony > Edges), its network path to the proxy (firewall, DNS, TLS certificate) and the carrier's status page.";
  }
  const race = likelyPropagation ? 'This began right after the Genesys token rotated and usually clears by itself within a few minutes; if it lasts longer, ' : '';
  const check = sipCode === 401 || sipCode === 407
    ? 'check the SIP user name, password and realm configured on the trunk (Genesys Cloud Admin > Telephony > Trunks > External Trunks).'
    : sipCode === 404
      ? "check the trunk's registration user and domain: the carrier does not know them."
      : "check the trunk's SIP credentials and the carrier's IP allow-list for the Edge's public address, and ask the carrier whether the account is active.";
  return race ? `${race}${check}` : check.charAt(0).toUpperCase() + check.slice(1);
}

/** "SIP 403 Forbidden", or the error text when no SIP code is known. */
export function sipAnswerText(sipCode: number | null, errorText: string | null): string {
  if (sipCode === null) return errorText ?? 'no answer';
  if (!errorText) return `SIP ${sipCode}`;
  return errorText.startsWith(String(sipCode)) ? `SIP ${errorText}` : `SIP ${sipCode} ${errorText}`;
}

export interface FactSettings {
  openAfterMs: number;
  resolveAfterMs: number;
}

/** Facts of a trunk incident, from the trunk's latest state. */
export function trunkFacts(trunk: TrunkRow, options: FactSettings & { kind: IncidentKind; correlationId: string; rotations: readonly number[]; watchingSince: number; now: number }): IncidentFacts {
  const problem = problemText(options.kind);
  const failingSince = trunk.failingSince ?? trunk.since;
  const hint = rotationHint({ failingSince, rotations: options.rotations, watchingSince: options.watchingSince, problem });
  const name = trunk.name ?? trunk.trunkId;
  const sipAnswer = sipAnswerText(trunk.sipCode, trunk.errorText);
  return {
    subjectName: `SIP trunk ${name}`,
    problem,
    correlationId: options.correlationId,
    trunkName: name,
    trunkId: trunk.trunkId,
    edge: trunk.edgeId ? `${trunk.edgeName ?? UNKNOWN} (id ${trunk.edgeId})` : UNKNOWN,
    edgeName: trunk.edgeName ?? UNKNOWN,
    edgeId: trunk.edgeId ?? UNKNOWN,
    proxyAddress: trunk.proxyAddress ?? UNKNOWN,
    sipCode: trunk.sipCode === null ? 'none' : String(trunk.sipCode),
    errorText: trunk.errorText ?? 'none',
    sipAnswer,
    state: trunk.state,
    firstSeen: formatTime(failingSince),
    rotationHint: hint.text,
    advice: trunkAdvice(options.kind, trunk.sipCode, hint.likelyPropagation),
    openAfter: formatDuration(options.openAfterMs),
    resolveAfter: formatDuration(options.resolveAfterMs),
    failureMessage: trunk.errorText ?? 'none',
    healthySince: trunk.healthySince === null ? 'not yet' : formatTime(trunk.healthySince),
    lasted: trunk.healthySince === null ? formatDuration(options.now - failingSince) : formatDuration(trunk.healthySince - failingSince),
  };
}

const TOKEN_REFUSED_ADVICE =
  "Genesys Cloud refuses trunkgate's OAuth client. Check the client in Genesys Cloud Admin > Integrations > OAuth (active? secret changed? grant type Client Credentials?), then GENESYS_CLIENT_ID / GENESYS_CLIENT_SECRET in trunkgate's configuration.";
const TOKEN_UNREACHABLE_ADVICE =
  "Genesys Cloud's login service does not answer trunkgate. Check https://status.mypurecloud.com and trunkgate's network path to the Genesys login URL; trunkgate keeps retrying.";

/** What to do when Genesys refuses calls for missing permissions: they come from the OAuth client's roles, not from its token or scopes. */
function permissionAdvice(problems: readonly PermissionProblem[]): string {
  const permissions = [...new Set(problems.flatMap((p) => p.permissions))];
  const operations = [...new Set(problems.map((p) => p.operation))].join(', ');
  const which = permissions.length > 0 ? `the permission${permissions.length > 1 ? 's' : ''} ${permissions.join(', ')}` : 'the permission Genesys names in the error';
  const plugin = permissions.includes('telephony:plugin:all') ? ' (telephony:plugin:all is Telephony > Plugin > All)' : '';
  return `trunkgate gets Genesys tokens, but Genesys Cloud refuses ${operations} because the OAuth client's role lacks ${which}. In Genesys Cloud Admin > Roles / Permissions, add ${which}${plugin} to a role and assign that role to trunkgate's OAuth client (Admin > Integrations > OAuth > the client > Roles). Permissions come from roles, not from OAuth scopes. trunkgate tries again at every poll and resolves this incident once Genesys allows the calls.`;
}

/** Facts of a `credentials_failed` incident. */
export function credentialsFacts(state: { failingSince: number; healthySince: number | null; message: string; permanent: boolean; access?: AccessProblem }, options: FactSettings & { correlationId: string; now: number }): IncidentFacts {
  const token = state.access ? state.access.token : { permanent: state.permanent };
  const advice = [
    ...(token ? [token.permanent ? TOKEN_REFUSED_ADVICE : TOKEN_UNREACHABLE_ADVICE] : []),
    ...(state.access && state.access.permissions.length > 0 ? [permissionAdvice(state.access.permissions)] : []),
  ].join(' Also: ') || (state.permanent ? TOKEN_REFUSED_ADVICE : TOKEN_UNREACHABLE_ADVICE);
  return {
    subjectName: 'The Genesys Cloud OAuth client',
    problem: problemText('credentials_failed'),
    correlationId: options.correlationId,
    trunkName: 'all trunks', trunkId: 'none', edge: 'none', edgeName: 'none', edgeId: 'none', proxyAddress: 'none',
    sipCode: 'none', errorText: state.message, sipAnswer: 'none', state: state.healthySince === null ? 'failing' : 'healthy',
    firstSeen: formatTime(state.failingSince),
    rotationHint: 'not applicable',
    advice,
    openAfter: formatDuration(options.openAfterMs),
    resolveAfter: formatDuration(options.resolveAfterMs),
    failureMessage: state.message,
    healthySince: state.healthySince === null ? 'not yet' : formatTime(state.healthySince),
    lasted: formatDuration((state.healthySince ?? options.now) - state.failingSince),
  };
}
