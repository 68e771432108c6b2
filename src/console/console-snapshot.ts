import type { AlertRow } from '../alerts/alert-store.js';
import type { CredentialsEntry } from '../credentials/token-types.js';
import type { IncidentView, StatusQueries, TrunkView } from '../incidents/status-views.js';

/** Resolved incidents the board shows besides the open ones. */
const RECENT_INCIDENTS = 50;
const MAX_OPEN_INCIDENTS = 1_000;

/** A helpdesk alert as the console shows it. */
export interface ConsoleAlert {
  key: string;
  summary: string;
  raisedAt: string;
  sentAt: string | null;
  clearedAt: string | null;
}

/** What one `event: snapshot` carries: the same views as `GET /v1/trunks`, `/v1/incidents` and `/v1/credentials`. */
export interface ConsoleSnapshot {
  orgs: string[];
  trunks: TrunkView[];
  /** Every open incident, then the latest resolved ones. */
  incidents: IncidentView[];
  credentials: CredentialsEntry[];
  alerts: ConsoleAlert[];
}

export interface SnapshotSources {
  status: Pick<StatusQueries, 'listTrunks' | 'listIncidents'>;
  credentials: () => CredentialsEntry[];
  alerts: { listAlerts(): Promise<AlertRow[]> };
  orgs: readonly string[];
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/**
 * The board of every org (the page filters by org): built by the server so that a caller with only the
 * `console` permission sees it, and once per interval for all viewers rather than once per browser.
 */
export async function buildSnapshot(sources: SnapshotSources): Promise<ConsoleSnapshot> {
  const [trunks, open, recent, alerts] = await Promise.all([
    sources.status.listTrunks(),
    sources.status.listIncidents({ state: 'open', limit: MAX_OPEN_INCIDENTS }),
    sources.status.listIncidents({ state: 'resolved', limit: RECENT_INCIDENTS }),
    sources.alerts.listAlerts(),
  ]);
  return {
    orgs: [...sources.orgs],
    trunks,
    incidents: [...open, ...recent],
    credentials: sources.credentials(),
    alerts: alerts.map((a) => ({
      key: a.key,
      summary: a.summary,
      raisedAt: iso(a.raisedAt)!,
      sentAt: iso(a.raiseSentAt),
      clearedAt: iso(a.clearedAt),
    })),
  };
}
