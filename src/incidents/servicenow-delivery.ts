import { AppError } from '../errors/app-error.js';
import type { ClaimedDelivery } from '../store/store.js';
import type { ServiceNowIncidents, ServiceNowRecord } from '../upstream/servicenow-client.js';

/** What ServiceNow made of one outbox entry. */
export type DeliveryResult =
  | { outcome: 'delivered' | 'adopted'; sysId: string; number: string | null; servicenowState: string | null; message: string }
  /** The incident no longer exists in ServiceNow: nothing left to update. */
  | { outcome: 'gone'; message: string };

/** States after which ServiceNow will not take the incident back (Closed, Canceled). */
const FINAL_STATES = new Set(['7', '8']);
/** States in which an incident found by correlation id is still the live one (not Resolved/Closed/Canceled). */
const DONE_STATES = new Set(['6', '7', '8']);
const LOOKUP_FIELDS = ['sys_id', 'number', 'state', 'correlation_id'];

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

function isNotFound(err: unknown): boolean {
  return err instanceof AppError && err.code === 'upstream_error' && (err.details[0] as { status?: number } | undefined)?.status === 404;
}

/** An encoded-query value: `^` separates terms, so a literal one is doubled. */
function queryValue(v: string): string {
  return v.replace(/\^/g, '^^');
}

/**
 * Performs one outbox entry against ServiceNow so that repeating it is harmless: a create first looks
 * the correlation id up (a crash after ServiceNow created the incident but before we recorded it
 * must not make a second one); updates go to the recorded sys_id.
 */
export class ServiceNowDelivery {
  constructor(private readonly servicenow: ServiceNowIncidents) {}

  async deliver(d: ClaimedDelivery, signal?: AbortSignal): Promise<DeliveryResult> {
    const fields = (d.payload.fields ?? {}) as Record<string, unknown>;
    switch (d.operation) {
      case 'create':
        return this.ensureCreated(d, fields, signal);
      case 'reopen':
        return this.reopen(d, fields, signal);
      case 'note':
      case 'resolve':
        return this.update(d, fields, signal);
    }
  }

  /** The live incident for a correlation id, checked field by field: ServiceNow ignores unknown query fields and would match every row. */
  async findActive(correlationId: string, signal?: AbortSignal): Promise<ServiceNowRecord | null> {
    const rows = await this.servicenow.query(`correlation_id=${queryValue(correlationId)}^active=true^ORDERBYDESCsys_created_on`, { limit: 5, fields: LOOKUP_FIELDS, signal });
    return rows.find((r) => r.correlation_id === correlationId && str(r.sys_id) !== null && !DONE_STATES.has(String(r.state ?? ''))) ?? null;
  }

  private async ensureCreated(d: ClaimedDelivery, fields: Record<string, unknown>, signal?: AbortSignal): Promise<DeliveryResult> {
    const inc = d.incident;
    if (inc.sysId) return { outcome: 'adopted', sysId: inc.sysId, number: inc.number, servicenowState: inc.servicenowState, message: `already in ServiceNow as ${inc.number ?? inc.sysId}` };
    const existing = await this.findActive(inc.correlationId, signal);
    if (existing) return { ...identity(existing), outcome: 'adopted', message: `found ${existing.number ?? existing.sys_id} already open for ${inc.correlationId}: adopted, not created again` };
    const created = await this.servicenow.create(fields, signal);
    if (!str(created.sys_id)) throw new Error('ServiceNow answered the create without a sys_id');
    return { ...identity(created), outcome: 'delivered', message: `ServiceNow created ${created.number ?? created.sys_id}` };
  }

  private async update(d: ClaimedDelivery, fields: Record<string, unknown>, signal?: AbortSignal): Promise<DeliveryResult> {
    const sysId = d.incident.sysId;
    if (!sysId) throw new Error(`no sys_id recorded for ${d.incident.correlationId} yet`);
    try {
      const updated = await this.servicenow.update(sysId, fields, signal);
      return { ...identity(updated, sysId), outcome: 'delivered', message: `ServiceNow took the ${d.operation} on ${updated.number ?? d.incident.number ?? sysId} (state ${updated.state ?? '?'})` };
    } catch (err) {
      if (isNotFound(err)) return { outcome: 'gone', message: `${d.incident.number ?? sysId} no longer exists in ServiceNow: ${d.operation} dropped` };
      throw err;
    }
  }

  private async reopen(d: ClaimedDelivery, fields: Record<string, unknown>, signal?: AbortSignal): Promise<DeliveryResult> {
    const inc = d.incident;
    if (inc.sysId) {
      const rows = await this.servicenow.query(`sys_id=${queryValue(inc.sysId)}`, { limit: 1, fields: LOOKUP_FIELDS, signal });
      const current = rows.find((r) => r.sys_id === inc.sysId);
      if (current && !FINAL_STATES.has(String(current.state ?? ''))) {
        const updated = await this.servicenow.update(inc.sysId, fields, signal);
        return { ...identity(updated, inc.sysId), outcome: 'delivered', message: `ServiceNow reopened ${updated.number ?? inc.number ?? inc.sysId}` };
      }
    }
    // Closed or canceled meanwhile (or deleted): ServiceNow will not take it back, so open a new one.
    const createFields = (d.payload.createFields ?? {}) as Record<string, unknown>;
    const existing = await this.findActive(inc.correlationId, signal);
    if (existing) return { ...identity(existing), outcome: 'adopted', message: `${inc.number ?? 'the incident'} is closed in ServiceNow; adopted the open ${existing.number ?? existing.sys_id}` };
    const created = await this.servicenow.create({ ...createFields, work_notes: fields.work_notes }, signal);
    if (!str(created.sys_id)) throw new Error('ServiceNow answered the create without a sys_id');
    return { ...identity(created), outcome: 'delivered', message: `${inc.number ?? 'the incident'} is closed in ServiceNow; created ${created.number ?? created.sys_id} instead` };
  }
}

function identity(r: ServiceNowRecord, fallbackSysId?: string): { sysId: string; number: string | null; servicenowState: string | null } {
  return { sysId: str(r.sys_id) ?? fallbackSysId ?? '', number: str(r.number), servicenowState: r.state === undefined ? null : String(r.state) };
}
