import { AppError } from '../errors/app-error.js';
import type { ClaimedDelivery } from './outbox-store.js';
import { encodedQueryValue as queryValue, type ServiceNowIncidents, type ServiceNowRecord } from '../upstream/servicenow-client.js';

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

/** What one attempt did so far; the relay reads it when the attempt fails. */
export interface AttemptProgress {
  /** A write was sent to ServiceNow (it may have been applied even if no answer came back). */
  wrote: boolean;
}

/**
 * The delivery's mark at the end of its work note: the outbox entry id and the start of the incident's
 * id (entry ids start again with a new store, which may adopt the same ServiceNow incident). Letters,
 * digits, `-`, `:` and brackets only: nothing in it means anything to an encoded query or to LIKE.
 */
export function deliveryMarker(d: { id: number; incidentId: string }): string {
  return `[trunkgate:d:${d.incidentId
    .toLowerCase()
    .replace(/[^0-9a-z]/g, '')
    .slice(0, 8)}-${d.id}]`;
}

/**
 * Whether a failed write may have been applied anyway. Only an answer that says it was not (a 4xx, a
 * 503) or a connection that was never made (refused) proves it; a timeout, a reset, a cut at shutdown
 * or a 500/502/504 leave it unknown (src/upstream/retry-policy.ts).
 */
export function mayHaveReached(err: unknown): boolean {
  if (!(err instanceof AppError)) return true;
  const evidence = (err.details[0] ?? {}) as { status?: number; processed?: string };
  if (evidence.status !== undefined) return evidence.status >= 500 && evidence.status !== 503;
  return err.code !== 'upstream_unavailable' || evidence.processed === 'unknown';
}

/** A lookup the instance refuses (its ACLs, docs/servicenow.md, 'Journal entries') leaves the question open. */
function refused(err: unknown): boolean {
  const status = err instanceof AppError ? (err.details[0] as { status?: number } | undefined)?.status : undefined;
  return status === 400 || status === 403 || status === 404;
}

/**
 * Performs one outbox entry against ServiceNow so that repeating it is harmless: a create first looks
 * the correlation id up (a crash after ServiceNow created the incident but before we recorded it
 * must not make a second one); updates go to the recorded sys_id, and a work note carries the
 * delivery's marker, looked for in the incident's journal before the note is sent again when an
 * earlier attempt may have reached ServiceNow (docs/design.md, 'Outbox').
 */
export class ServiceNowDelivery {
  constructor(
    private readonly servicenow: ServiceNowIncidents,
    /** Told when the journal cannot be read, so a note may be sent twice. */
    private readonly onBlindResend: (d: ClaimedDelivery, err: unknown) => void = () => undefined,
  ) {}

  async deliver(d: ClaimedDelivery, signal?: AbortSignal, progress: AttemptProgress = { wrote: false }): Promise<DeliveryResult> {
    const fields = (d.payload.fields ?? {}) as Record<string, unknown>;
    switch (d.operation) {
      case 'create':
        return this.ensureCreated(d, fields, progress, signal);
      case 'reopen':
        return this.reopen(d, fields, progress, signal);
      case 'note':
      case 'resolve':
        return this.update(d, fields, progress, signal);
    }
  }

  /**
   * PATCHes `fields` onto the incident. A work note carries the delivery's marker; when an earlier
   * attempt may have written it, the journal is asked first and a note found there is not sent again
   * (the rest of the fields still are: a PATCH of plain fields can be repeated). null: nothing was left to send.
   */
  private async patch(
    d: ClaimedDelivery,
    sysId: string,
    fields: Record<string, unknown>,
    progress: AttemptProgress,
    signal?: AbortSignal,
  ): Promise<{ record: ServiceNowRecord | null; noted: boolean }> {
    const { work_notes: note, ...rest } = fields;
    if (typeof note !== 'string' || note.trim() === '') {
      progress.wrote = true;
      return { record: await this.servicenow.update(sysId, fields, signal), noted: false };
    }
    const marker = deliveryMarker(d);
    if (d.inDoubt && (await this.inJournal(d, sysId, marker, signal))) {
      if (Object.keys(rest).length === 0) return { record: null, noted: true };
      progress.wrote = true;
      return { record: await this.servicenow.update(sysId, rest, signal), noted: true };
    }
    progress.wrote = true;
    return { record: await this.servicenow.update(sysId, { ...rest, work_notes: `${note}\n${marker}` }, signal), noted: false };
  }

  private async inJournal(d: ClaimedDelivery, sysId: string, marker: string, signal?: AbortSignal): Promise<boolean> {
    try {
      return await this.servicenow.workNotesContain(sysId, marker, { signal });
    } catch (err) {
      if (!refused(err)) throw err;
      this.onBlindResend(d, err);
      return false;
    }
  }

  /** The live incident for a correlation id, checked field by field: ServiceNow ignores unknown query fields and would match every row. */
  async findActive(correlationId: string, signal?: AbortSignal): Promise<ServiceNowRecord | null> {
    const rows = await this.servicenow.query(`correlation_id=${queryValue(correlationId)}^active=true^ORDERBYDESCsys_created_on`, {
      limit: 5,
      fields: LOOKUP_FIELDS,
      signal,
    });
    return (
      rows.find((r) => r.correlation_id === correlationId && str(r.sys_id) !== null && !DONE_STATES.has(String(r.state ?? ''))) ?? null
    );
  }

  private async ensureCreated(
    d: ClaimedDelivery,
    fields: Record<string, unknown>,
    progress: AttemptProgress,
    signal?: AbortSignal,
  ): Promise<DeliveryResult> {
    const inc = d.incident;
    if (inc.sysId)
      return {
        outcome: 'adopted',
        sysId: inc.sysId,
        number: inc.number,
        servicenowState: inc.servicenowState,
        message: `already in ServiceNow as ${inc.number ?? inc.sysId}`,
      };
    const existing = await this.findActive(inc.correlationId, signal);
    if (existing)
      return {
        ...identity(existing),
        outcome: 'adopted',
        message: `found ${existing.number ?? existing.sys_id} already open for ${inc.correlationId}: adopted, not created again`,
      };
    progress.wrote = true;
    const created = await this.servicenow.create(fields, signal);
    if (!str(created.sys_id)) throw new Error('ServiceNow answered the create without a sys_id');
    return { ...identity(created), outcome: 'delivered', message: `ServiceNow created ${created.number ?? created.sys_id}` };
  }

  private async update(
    d: ClaimedDelivery,
    fields: Record<string, unknown>,
    progress: AttemptProgress,
    signal?: AbortSignal,
  ): Promise<DeliveryResult> {
    const inc = d.incident;
    const sysId = inc.sysId;
    if (!sysId) throw new Error(`no sys_id recorded for ${inc.correlationId} yet`);
    try {
      const { record, noted } = await this.patch(d, sysId, fields, progress, signal);
      const name = record?.number ?? inc.number ?? sysId;
      const known = record ? identity(record, sysId) : { sysId, number: inc.number, servicenowState: inc.servicenowState };
      if (noted)
        return {
          ...known,
          outcome: 'adopted',
          message: `the ${d.operation}'s work note was already in ${name}'s journal (an earlier attempt's answer was lost): not sent again`,
        };
      return { ...known, outcome: 'delivered', message: `ServiceNow took the ${d.operation} on ${name} (state ${record?.state ?? '?'})` };
    } catch (err) {
      if (isNotFound(err))
        return { outcome: 'gone', message: `${d.incident.number ?? sysId} no longer exists in ServiceNow: ${d.operation} dropped` };
      throw err;
    }
  }

  private async reopen(
    d: ClaimedDelivery,
    fields: Record<string, unknown>,
    progress: AttemptProgress,
    signal?: AbortSignal,
  ): Promise<DeliveryResult> {
    const inc = d.incident;
    if (inc.sysId) {
      const rows = await this.servicenow.query(`sys_id=${queryValue(inc.sysId)}`, { limit: 1, fields: LOOKUP_FIELDS, signal });
      const current = rows.find((r) => r.sys_id === inc.sysId);
      if (current && !FINAL_STATES.has(String(current.state ?? ''))) {
        const { record, noted } = await this.patch(d, inc.sysId, fields, progress, signal);
        const updated = record ?? current;
        const how = noted ? ' (its note was already in the journal: not sent again)' : '';
        return {
          ...identity(updated, inc.sysId),
          outcome: noted ? 'adopted' : 'delivered',
          message: `ServiceNow reopened ${updated.number ?? inc.number ?? inc.sysId}${how}`,
        };
      }
    }
    // Closed or canceled meanwhile (or deleted): ServiceNow will not take it back, so open a new one.
    const createFields = (d.payload.createFields ?? {}) as Record<string, unknown>;
    const existing = await this.findActive(inc.correlationId, signal);
    if (existing)
      return {
        ...identity(existing),
        outcome: 'adopted',
        message: `${inc.number ?? 'the incident'} is closed in ServiceNow; adopted the open ${existing.number ?? existing.sys_id}`,
      };
    progress.wrote = true;
    const created = await this.servicenow.create({ ...createFields, work_notes: fields.work_notes }, signal);
    if (!str(created.sys_id)) throw new Error('ServiceNow answered the create without a sys_id');
    return {
      ...identity(created),
      outcome: 'delivered',
      message: `${inc.number ?? 'the incident'} is closed in ServiceNow; created ${created.number ?? created.sys_id} instead`,
    };
  }
}

function identity(r: ServiceNowRecord, fallbackSysId?: string): { sysId: string; number: string | null; servicenowState: string | null } {
  return {
    sysId: str(r.sys_id) ?? fallbackSysId ?? '',
    number: str(r.number),
    servicenowState: r.state === undefined ? null : String(r.state),
  };
}
