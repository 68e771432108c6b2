import type { IncidentRow, IncidentStore, IncidentSummary } from './incident-store.js';
import type { TrunkRow, TrunkStore } from '../trunks/trunk-store.js';
import { isHealthyState } from '../trunks/trunk-state.js';
import type { TrunkEventView, TrunkView } from '../trunks/trunk-view-schemas.js';
import type { IncidentView } from './incident-view-schema.js';
import type { MaintenanceWindow } from '../maintenance/maintenance-store.js';
import type { CoveredTrunk } from '../maintenance/maintenance-rules.js';

export type { IncidentView, TrunkEventView, TrunkView };

const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));

const MAX_OPEN_INCIDENTS = 100_000;

export function trunkView(t: TrunkRow, open: IncidentRow | null, maintenance: MaintenanceWindow | null = null): TrunkView {
  const view: TrunkView = {
    id: t.trunkId,
    name: t.name,
    state: t.state,
    healthy: isHealthyState(t.state),
    signal: t.signal,
    since: iso(t.since),
    sipCode: t.sipCode,
    errorText: t.errorText,
    edge: t.edgeId ? { id: t.edgeId, name: t.edgeName } : null,
    trunkBase: t.trunkBaseId ? { id: t.trunkBaseId, name: t.trunkBaseName } : null,
    proxyAddress: t.proxyAddress,
    incident: open
      ? { number: open.number, sysId: open.sysId, state: open.open ? 'open' : 'resolved', servicenowState: open.servicenowState }
      : null,
    failingSince: isoOrNull(t.failingSince),
    lastSeenAt: iso(t.lastSeenAt),
    source: t.source,
    goneAt: isoOrNull(t.goneAt),
    org: t.org,
  };
  if (maintenance) view.maintenance = { id: maintenance.id, endsAt: iso(maintenance.endsAt) };
  return view;
}

export function incidentView(i: IncidentSummary): IncidentView {
  return {
    correlationId: i.correlationId,
    trunkId: i.trunkId,
    trunkBaseId: i.trunkBaseId,
    trunkIds: i.trunkIds,
    kind: i.kind,
    number: i.number,
    sysId: i.sysId,
    state: i.open ? 'open' : 'resolved',
    servicenowState: i.servicenowState,
    openedAt: iso(i.openedAt),
    resolvedAt: isoOrNull(i.resolvedAt),
    reopenCount: i.reopenCount,
    pendingDeliveries: i.pendingDeliveries,
    lastDeliveryError: i.lastDeliveryError,
    org: i.org,
    servicenowInstance: i.servicenowInstance,
  };
}

/** What the status endpoints read. */
export type StatusStore = Pick<TrunkStore, 'listTrunks' | 'getTrunk' | 'listTrunkEvents'> & Pick<IncidentStore, 'listIncidents'>;

/** Where the trunk views find the maintenance window covering a trunk now (MaintenanceWindows). */
export interface MaintenanceLookup {
  current(): Promise<MaintenanceWindow[]>;
  activeFor(windows: readonly MaintenanceWindow[], trunk: CoveredTrunk): MaintenanceWindow | null;
}

const NO_MAINTENANCE: MaintenanceLookup = { current: async () => [], activeFor: () => null };

/** Read side of the status endpoints: trunks with their open incident and maintenance window, state changes, incidents. */
export class StatusQueries {
  constructor(
    private readonly store: StatusStore,
    private readonly maintenance: MaintenanceLookup = NO_MAINTENANCE,
  ) {}

  async listTrunks(filter: { org?: string } = {}): Promise<TrunkView[]> {
    const [trunks, open, windows] = await Promise.all([
      this.store.listTrunks({ org: filter.org }),
      this.store.listIncidents({ open: true, org: filter.org, limit: MAX_OPEN_INCIDENTS }),
      this.maintenance.current(),
    ]);
    // A trunk-base incident is shown on every trunk it concerns.
    const byTrunk = new Map(open.flatMap((i) => i.trunkIds.map((id) => [id, i] as const)));
    return trunks.map((t) => trunkView(t, byTrunk.get(t.trunkId) ?? null, this.maintenance.activeFor(windows, t)));
  }

  async getTrunk(trunkId: string): Promise<TrunkView | null> {
    const trunk = await this.store.getTrunk(trunkId);
    if (!trunk) return null;
    const [[open], windows] = await Promise.all([this.store.listIncidents({ open: true, trunkId, limit: 1 }), this.maintenance.current()]);
    return trunkView(trunk, open ?? null, this.maintenance.activeFor(windows, trunk));
  }

  /** Null when the trunk is unknown. */
  async trunkEvents(trunkId: string, limit: number): Promise<TrunkEventView[] | null> {
    if (!(await this.store.getTrunk(trunkId))) return null;
    const events = await this.store.listTrunkEvents(trunkId, { limit });
    return events.map((e) => ({
      at: iso(e.at),
      state: e.state,
      previousState: e.previousState,
      signal: e.signal,
      sipCode: e.sipCode,
      errorText: e.errorText,
      proxyAddress: e.proxyAddress,
      source: e.source,
      eventId: e.eventId,
    }));
  }

  async listIncidents(filter: { state?: 'open' | 'resolved'; trunkId?: string; org?: string; limit: number }): Promise<IncidentView[]> {
    const rows = await this.store.listIncidents({
      open: filter.state === undefined ? undefined : filter.state === 'open',
      trunkId: filter.trunkId,
      org: filter.org,
      limit: filter.limit,
    });
    return rows.map(incidentView);
  }
}
