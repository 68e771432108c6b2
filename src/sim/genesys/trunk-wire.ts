import type { TrunkRecord } from './trunk-store.js';
import type { GenesysTrunk, GenesysTrunkListing } from './wire-types.js';

export const TRUNKS_PATH = '/api/v2/telephony/providers/edges/trunks';
const EDGES_PATH = '/api/v2/telephony/providers/edges';
const TRUNK_BASES_PATH = '/api/v2/telephony/providers/edges/trunkbasesettings';

const iso = (ms: number) => new Date(ms).toISOString();

/** The `Trunk` object Genesys returns for a record (a fresh copy each call). */
export function buildTrunk(record: TrunkRecord): GenesysTrunk {
  const { seed } = record;
  return {
    id: seed.id,
    name: seed.name,
    version: record.version,
    dateCreated: iso(record.createdAt),
    dateModified: iso(record.modifiedAt),
    state: 'active',
    trunkType: record.trunkType,
    edge: { id: seed.edge.id, name: seed.edge.name, selfUri: `${EDGES_PATH}/${seed.edge.id}` },
    trunkBase: { id: seed.trunkBase.id, name: seed.trunkBase.name, selfUri: `${TRUNK_BASES_PATH}/${seed.trunkBase.id}` },
    inService: true,
    enabled: true,
    connectedStatus: { connected: record.connected, connectedStateTime: iso(record.connectedSince) },
    optionsStatus: record.options.map((o) => ({
      proxyAddress: o.proxyAddress,
      optionState: o.ok,
      optionStateTime: iso(o.since),
      ...(o.errorInfo ? { errorInfo: structuredClone(o.errorInfo) } : {}),
    })),
    registersStatus: record.registersEnabled
      ? record.registers.map((r) => ({
          proxyAddress: r.proxyAddress,
          registerState: r.ok,
          registerStateTime: iso(r.since),
          ...(r.errorInfo ? { errorInfo: structuredClone(r.errorInfo) } : {}),
        }))
      : [],
    ipStatus: { address: seed.ipAddress ?? '198.51.100.10' },
    optionsEnabledStatus: 'ENABLED',
    registersEnabledStatus: record.registrationNotSupported ? 'NOT_SUPPORTED' : record.registersEnabled ? 'ENABLED' : 'DISABLED',
    family: 2,
    proxyAddressList: [...seed.proxyAddressList],
    selfUri: `${TRUNKS_PATH}/${seed.id}`,
  };
}

/** The fields the Notifications topic `v2.telephony.providers.edges.trunks.{id}` carries, as one string. */
export function healthFingerprint(t: GenesysTrunk): string {
  return JSON.stringify([t.connectedStatus, t.optionsStatus, t.registersStatus, t.ipStatus, t.registersEnabledStatus]);
}

/** Query of `GET /trunks` once validated. */
export interface TrunkQuery {
  pageSize: number;
  pageNumber: number;
  sortBy: string;
  sortOrder: 'ASC' | 'DESC';
  trunkType?: string;
  edgeIds?: string[];
  trunkBaseIds?: string[];
  /** Filter parameters in the order the caller sent them, echoed into the paging URIs. */
  echo: Array<[string, string]>;
}

const sortKeys: Record<string, (t: GenesysTrunk) => string> = {
  name: (t) => t.name.toLowerCase(),
  id: (t) => t.id,
  dateCreated: (t) => t.dateCreated,
  dateModified: (t) => t.dateModified,
  trunkType: (t) => t.trunkType,
};

/** Filters, sorts and pages trunks into a `TrunkEntityListing` with relative URIs like the real API. */
export function buildTrunkListing(all: readonly GenesysTrunk[], q: TrunkQuery): GenesysTrunkListing {
  const matching = all.filter(
    (t) =>
      (!q.trunkType || t.trunkType === q.trunkType) &&
      (!q.edgeIds || q.edgeIds.includes(t.edge.id)) &&
      (!q.trunkBaseIds || q.trunkBaseIds.includes(t.trunkBase.id)),
  );
  const key = sortKeys[q.sortBy] ?? sortKeys.name!;
  const direction = q.sortOrder === 'DESC' ? -1 : 1;
  // Keys worked out once per trunk, not once per comparison.
  const keyed = matching.map((t) => ({ k: key(t), t }));
  keyed.sort((a, b) => direction * (a.k < b.k ? -1 : a.k > b.k ? 1 : a.t.id < b.t.id ? -1 : 1));

  const total = matching.length;
  const pageCount = Math.ceil(total / q.pageSize);
  const start = (q.pageNumber - 1) * q.pageSize;
  const uri = (page: number) => {
    const params = new URLSearchParams([['pageSize', String(q.pageSize)], ['pageNumber', String(page)], ...q.echo]);
    return `${TRUNKS_PATH}?${params.toString()}`;
  };
  return {
    entities: keyed.slice(start, start + q.pageSize).map((e) => e.t),
    pageSize: q.pageSize,
    pageNumber: q.pageNumber,
    total,
    pageCount,
    firstUri: uri(1),
    selfUri: uri(q.pageNumber),
    lastUri: uri(Math.max(pageCount, 1)),
    ...(q.pageNumber < pageCount ? { nextUri: uri(q.pageNumber + 1) } : {}),
    ...(q.pageNumber > 1 ? { previousUri: uri(Math.min(q.pageNumber - 1, Math.max(pageCount, 1))) } : {}),
  };
}
