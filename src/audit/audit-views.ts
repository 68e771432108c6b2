import type { AuditFilter, AuditRow, AuditStore } from './audit-store.js';
import type { AuditEntryView, AuditList } from './audit-view-schema.js';

/** What an entry about an incident shows of it. */
export interface IncidentRef {
  id: string;
  correlationId: string;
  number: string | null;
  sysId: string | null;
}

/** How the audit views read incidents (the incidents feature's store, wired by the composition root). */
export interface IncidentLookup {
  /** The incidents with these ids, in one query (ids not found are left out). */
  byIds(ids: readonly string[]): Promise<IncidentRef[]>;
  /** The ids of the incidents a reference names: trunkgate's id, a ServiceNow number or sys_id. */
  find(ref: string): Promise<string[]>;
}

/** A listing's filters (the keyset position is the cursor): `incident` names incidents as IncidentLookup.find reads it. */
export type AuditQuery = Omit<AuditFilter, 'beforeId' | 'subject' | 'incidentId' | 'incidentIds'> & { incident?: string };

const CURSOR_PREFIX = 'a1:';

/** The opaque cursor that continues a listing after the entry with this id. */
export function encodeCursor(id: number): string {
  return Buffer.from(`${CURSOR_PREFIX}${id}`, 'utf8').toString('base64url');
}

/** The id a cursor continues after; undefined when it is not one this API made. */
export function decodeCursor(cursor: string): number | undefined {
  if (!/^[A-Za-z0-9_-]{1,40}$/.test(cursor)) return undefined;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const m = /^a1:([1-9][0-9]{0,15})$/.exec(text);
  if (!m) return undefined;
  const id = Number(m[1]);
  // Only the canonical spelling: a cursor is handed back as it was given, never edited.
  return Number.isSafeInteger(id) && encodeCursor(id) === cursor ? id : undefined;
}

/**
 * `GET /v1/audit` and its exports: entries newest first, paged by id (a keyset, so pages neither repeat
 * nor skip an entry while new ones are written), each entry about an incident with that incident's
 * correlation id, number and sys_id — looked up once per page, not per entry, and as they are now (a
 * number ServiceNow gave after the entry was written shows on it too).
 */
export class AuditQueries {
  constructor(private readonly o: { store: Pick<AuditStore, 'listAudit'>; incidents: IncidentLookup }) {}

  /** One page: at most `limit` entries after `cursor` (an id), and the cursor of the next page when there is one. */
  async page(query: AuditQuery, limit: number, afterId?: number): Promise<AuditList> {
    // One more than asked: a next cursor is given only when another entry exists.
    const rows = await this.o.store.listAudit({ ...(await this.filter(query)), beforeId: afterId, limit: limit + 1 });
    const shown = rows.slice(0, limit);
    return {
      entries: await this.views(shown),
      nextCursor: rows.length > limit ? encodeCursor(shown.at(-1)!.id) : null,
    };
  }

  /**
   * Every matching entry after `afterId` (at most `max`), newest first, read `batchSize` at a time: the
   * next batch is read only when the consumer asks for it (an export writes a batch, waits for the
   * client to take it, then asks for more), so memory holds one batch whatever the size of the trail.
   */
  async *batches(query: AuditQuery, o: { batchSize: number; afterId?: number; max?: number }): AsyncGenerator<AuditEntryView[]> {
    const filter = await this.filter(query);
    let beforeId = o.afterId;
    let left = o.max ?? Number.POSITIVE_INFINITY;
    while (left > 0) {
      const limit = Math.min(o.batchSize, left);
      const rows = await this.o.store.listAudit({ ...filter, beforeId, limit });
      if (rows.length === 0) return;
      yield await this.views(rows);
      if (rows.length < limit) return;
      left -= rows.length;
      beforeId = rows.at(-1)!.id;
    }
  }

  private async filter(query: AuditQuery): Promise<AuditFilter> {
    const { incident, ...rest } = query;
    return incident === undefined ? rest : { ...rest, incidentIds: await this.o.incidents.find(incident) };
  }

  private async views(rows: AuditRow[]): Promise<AuditEntryView[]> {
    const ids = [...new Set(rows.flatMap((r) => (r.incidentId === null ? [] : [r.incidentId])))];
    const incidents = new Map((ids.length > 0 ? await this.o.incidents.byIds(ids) : []).map((i) => [i.id, i]));
    return rows.map((r) => auditView(r, r.incidentId === null ? undefined : (incidents.get(r.incidentId) ?? null)));
  }
}

/** An entry as the API shows it; `incident` is the incident it is about (null: about one no longer stored). */
export function auditView(r: AuditRow, incident?: IncidentRef | null): AuditEntryView {
  const details: Record<string, unknown> = { ...(r.data ?? {}) };
  if (incident !== undefined && r.incidentId !== null) {
    details.incidentId = r.incidentId;
    // An incident entry's subject is its correlation id: what is known when the incident row is gone.
    details.correlationId = incident?.correlationId ?? r.subject;
    details.number = incident?.number ?? (typeof r.data?.number === 'string' ? r.data.number : null);
    details.sysId = incident?.sysId ?? (typeof r.data?.sysId === 'string' ? r.data.sysId : null);
  }
  return {
    id: String(r.id),
    at: new Date(r.at).toISOString(),
    subject: r.subject,
    kind: r.kind,
    org: r.org ?? null,
    message: r.message,
    details,
  };
}
