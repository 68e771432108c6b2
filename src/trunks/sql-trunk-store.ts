import {
  all,
  boolOrNull,
  dbBool,
  forUpdate,
  jsonOrNull,
  num,
  numOrNull,
  one,
  run,
  strOrNull,
  type SqlRow,
  type SqlSession,
} from '../store/sql-session.js';
import type { TrunkHealth } from './trunk-health.js';
import type { SightingSource } from './trunk-sighting.js';
import type { TrunkSignal, TrunkState } from './trunk-state.js';
import type { TrunkEventRow, TrunkRow, TrunkStore } from './trunk-store.js';

export const TRUNK_COLUMNS =
  'trunk_id, name, edge_id, edge_name, proxy_address, state, since, sip_code, error_text, connected, registered, state_time, source, last_seen_at, failing_since, healthy_since, trunk_base_id, trunk_base_name, signal, health, gone_at, org';
const TRUNK_EVENT_COLUMNS = 'id, trunk_id, at, state, previous_state, sip_code, error_text, proxy_address, source, event_id, signal';

const SQL = {
  selectTrunk: `SELECT ${TRUNK_COLUMNS} FROM trunks WHERE trunk_id = ?`,
  // COALESCE: SQLite sorts NULL first, PostgreSQL last; a trunk without a name comes first in both.
  selectTrunks: `SELECT ${TRUNK_COLUMNS} FROM trunks ORDER BY COALESCE(name, ''), trunk_id`,
  selectTrunksOfOrg: `SELECT ${TRUNK_COLUMNS} FROM trunks WHERE org = ? ORDER BY COALESCE(name, ''), trunk_id`,
  selectTrunksOfBase: `SELECT ${TRUNK_COLUMNS} FROM trunks WHERE trunk_base_id = ? ORDER BY COALESCE(name, ''), trunk_id`,
  upsertTrunk: `INSERT INTO trunks (${TRUNK_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (trunk_id) DO UPDATE SET
      name = excluded.name, edge_id = excluded.edge_id, edge_name = excluded.edge_name,
      proxy_address = excluded.proxy_address, state = excluded.state, since = excluded.since,
      sip_code = excluded.sip_code, error_text = excluded.error_text, connected = excluded.connected,
      registered = excluded.registered, state_time = excluded.state_time, source = excluded.source,
      last_seen_at = excluded.last_seen_at, failing_since = excluded.failing_since, healthy_since = excluded.healthy_since,
      trunk_base_id = excluded.trunk_base_id, trunk_base_name = excluded.trunk_base_name, signal = excluded.signal,
      health = excluded.health, gone_at = excluded.gone_at, org = excluded.org`,
  insertTrunkEvent:
    'INSERT INTO trunk_events (trunk_id, at, state, previous_state, sip_code, error_text, proxy_address, source, event_id, signal) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  selectTrunkEvents: `SELECT ${TRUNK_EVENT_COLUMNS} FROM trunk_events WHERE trunk_id = ? AND at > ? ORDER BY id DESC LIMIT ?`,
  insertProcessedEvent: 'INSERT INTO processed_events (event_id, processed_at) VALUES (?, ?) ON CONFLICT (event_id) DO NOTHING',
  // Rows are appended in time order, so everything below the first id at or after the cutoff is older:
  // the scan stops at that row and no index on `at` is needed.
  pruneTrunkEvents:
    'DELETE FROM trunk_events WHERE id < COALESCE((SELECT id FROM trunk_events WHERE at >= ? ORDER BY id LIMIT 1), (SELECT MAX(id) + 1 FROM trunk_events))',
  pruneProcessedEvents: 'DELETE FROM processed_events WHERE processed_at < ?',
} as const;

export function trunkFromRow(r: SqlRow): TrunkRow {
  return {
    trunkId: String(r.trunk_id),
    name: strOrNull(r.name),
    edgeId: strOrNull(r.edge_id),
    edgeName: strOrNull(r.edge_name),
    proxyAddress: strOrNull(r.proxy_address),
    state: String(r.state) as TrunkState,
    since: num(r.since),
    sipCode: numOrNull(r.sip_code),
    errorText: strOrNull(r.error_text),
    connected: boolOrNull(r.connected),
    registered: boolOrNull(r.registered),
    stateTime: strOrNull(r.state_time),
    source: String(r.source) as SightingSource,
    lastSeenAt: num(r.last_seen_at),
    failingSince: numOrNull(r.failing_since),
    healthySince: numOrNull(r.healthy_since),
    trunkBaseId: strOrNull(r.trunk_base_id),
    trunkBaseName: strOrNull(r.trunk_base_name),
    signal: strOrNull(r.signal) as TrunkSignal | null,
    health: jsonOrNull<TrunkHealth>(r.health),
    goneAt: numOrNull(r.gone_at),
    org: String(r.org),
  };
}

function trunkParams(t: TrunkRow): unknown[] {
  return [
    t.trunkId,
    t.name,
    t.edgeId,
    t.edgeName,
    t.proxyAddress,
    t.state,
    t.since,
    t.sipCode,
    t.errorText,
    dbBool(t.connected),
    dbBool(t.registered),
    t.stateTime,
    t.source,
    t.lastSeenAt,
    t.failingSince,
    t.healthySince,
    t.trunkBaseId,
    t.trunkBaseName,
    t.signal,
    t.health === null ? null : JSON.stringify(t.health),
    t.goneAt,
    t.org,
  ];
}

function trunkEventFromRow(r: SqlRow): TrunkEventRow {
  return {
    id: num(r.id),
    trunkId: String(r.trunk_id),
    at: num(r.at),
    state: String(r.state) as TrunkState,
    previousState: strOrNull(r.previous_state) as TrunkState | null,
    signal: strOrNull(r.signal) as TrunkSignal | null,
    sipCode: numOrNull(r.sip_code),
    errorText: strOrNull(r.error_text),
    proxyAddress: strOrNull(r.proxy_address),
    source: String(r.source) as SightingSource,
    eventId: strOrNull(r.event_id),
  };
}

/** The trunk store in SQL, one text for SQLite and PostgreSQL. */
export class SqlTrunkStore implements TrunkStore {
  constructor(private readonly s: SqlSession) {}

  async getTrunk(trunkId: string, options?: { forUpdate?: boolean }): Promise<TrunkRow | null> {
    const lock = await forUpdate(this.s, `trunk:${trunkId}`, options);
    const r = await one(this.s, SQL.selectTrunk + lock, [trunkId]);
    return r ? trunkFromRow(r) : null;
  }

  async listTrunks(options: { org?: string } = {}): Promise<TrunkRow[]> {
    const rows = options.org === undefined ? await all(this.s, SQL.selectTrunks) : await all(this.s, SQL.selectTrunksOfOrg, [options.org]);
    return rows.map(trunkFromRow);
  }

  async listTrunksOfBase(trunkBaseId: string): Promise<TrunkRow[]> {
    return (await all(this.s, SQL.selectTrunksOfBase, [trunkBaseId])).map(trunkFromRow);
  }

  async upsertTrunk(row: TrunkRow): Promise<void> {
    await run(this.s, SQL.upsertTrunk, trunkParams(row));
  }

  async addTrunkEvent(e: Omit<TrunkEventRow, 'id'>): Promise<void> {
    await run(this.s, SQL.insertTrunkEvent, [
      e.trunkId,
      e.at,
      e.state,
      e.previousState,
      e.sipCode,
      e.errorText,
      e.proxyAddress,
      e.source,
      e.eventId,
      e.signal,
    ]);
  }

  async listTrunkEvents(trunkId: string, options: { limit: number; afterAt?: number }): Promise<TrunkEventRow[]> {
    return (await all(this.s, SQL.selectTrunkEvents, [trunkId, options.afterAt ?? Number.MIN_SAFE_INTEGER, options.limit])).map(
      trunkEventFromRow,
    );
  }

  async markEventProcessed(eventId: string, at: number): Promise<boolean> {
    return (await run(this.s, SQL.insertProcessedEvent, [eventId, at])) === 1;
  }

  async pruneTrunkHistory(before: number): Promise<void> {
    await this.s.atomic(async (s) => {
      await run(s, SQL.pruneTrunkEvents, [before]);
      await run(s, SQL.pruneProcessedEvents, [before]);
    });
  }
}
