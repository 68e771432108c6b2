import type { AccessProblem, PermissionProblem } from './genesys-access.js';
import { problemText, type FactSettings, type IncidentFacts } from './incident-facts.js';
import { formatDuration, formatTime } from './incident-format.js';

// What the Genesys credentials incident says: its facts (for mappings/incident.yaml) and its work notes.

const TOKEN_REFUSED_ADVICE =
  "Genesys Cloud refuses trunkgate's OAuth client. Check the client in Genesys Cloud Admin > Integrations > OAuth (active? secret changed? grant type Client Credentials?), then GENESYS_CLIENT_ID / GENESYS_CLIENT_SECRET in trunkgate's configuration.";
const TOKEN_UNREACHABLE_ADVICE =
  "Genesys Cloud's login service does not answer trunkgate. Check https://status.mypurecloud.com and trunkgate's network path to the Genesys login URL; trunkgate keeps retrying.";

/** What to do when Genesys refuses calls for missing permissions: they come from the OAuth client's roles, not from its token or scopes. */
function permissionAdvice(problems: readonly PermissionProblem[]): string {
  const permissions = [...new Set(problems.flatMap((p) => p.permissions))];
  const operations = [...new Set(problems.map((p) => p.operation))].join(', ');
  const which =
    permissions.length > 0
      ? `the permission${permissions.length > 1 ? 's' : ''} ${permissions.join(', ')}`
      : 'the permission Genesys names in the error';
  const plugin = permissions.includes('telephony:plugin:all') ? ' (telephony:plugin:all is Telephony > Plugin > All)' : '';
  return `trunkgate gets Genesys tokens, but Genesys Cloud refuses ${operations} because the OAuth client's role lacks ${which}. In Genesys Cloud Admin > Roles / Permissions, add ${which}${plugin} to a role and assign that role to trunkgate's OAuth client (Admin > Integrations > OAuth > the client > Roles). Permissions come from roles, not from OAuth scopes. trunkgate tries again at every poll and resolves this incident once Genesys allows the calls.`;
}

/** Facts of a `credentials_failed` incident. */
export function credentialsFacts(
  state: { failingSince: number; healthySince: number | null; message: string; permanent: boolean; access?: AccessProblem },
  options: FactSettings & { correlationId: string; now: number },
): IncidentFacts {
  const token = state.access ? state.access.token : { permanent: state.permanent };
  const advice =
    [
      ...(token ? [token.permanent ? TOKEN_REFUSED_ADVICE : TOKEN_UNREACHABLE_ADVICE] : []),
      ...(state.access && state.access.permissions.length > 0 ? [permissionAdvice(state.access.permissions)] : []),
    ].join(' Also: ') || (state.permanent ? TOKEN_REFUSED_ADVICE : TOKEN_UNREACHABLE_ADVICE);
  return {
    subjectName: 'The Genesys Cloud OAuth client',
    problem: problemText('credentials_failed'),
    correlationId: options.correlationId,
    trunkName: 'all trunks',
    trunkId: 'none',
    edge: 'none',
    edgeName: 'none',
    edgeId: 'none',
    proxyAddress: 'none',
    trunkBase: 'none',
    trunkBaseName: 'none',
    trunkBaseId: 'none',
    signal: 'none',
    affectedTrunks: 'all trunks',
    affectedCount: '0',
    subjectDetails: `Failure: ${state.message}`,
    sipCode: 'none',
    errorText: state.message,
    sipAnswer: 'none',
    state: state.healthySince === null ? 'failing' : 'healthy',
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

/** A note on the credentials incident. */
export function credentialsNote(options: {
  failing: boolean;
  message: string;
  changes: number;
  at: number;
  resolveAfterMs: number;
}): string {
  const count = options.changes > 1 ? ` (${options.changes} changes since the last note)` : '';
  return options.failing
    ? `${formatTime(options.at)}: still failing${count}: ${options.message}`
    : `${formatTime(options.at)}: Genesys Cloud tokens work again${count}. trunkgate resolves this incident once they have worked for ${formatDuration(options.resolveAfterMs)}.`;
}
