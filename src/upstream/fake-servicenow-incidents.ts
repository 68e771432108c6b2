import { randomUUID } from 'node:crypto';
import { UpstreamError } from '../errors/app-error.js';
import type { ServiceNowIncidents, ServiceNowRecord } from './servicenow-client.js';

type Operation = 'create' | 'update' | 'query' | 'journal';

/** A call the fake received, in order. */
export interface FakeCall {
  operation: Operation;
  sysId?: string;
  fields?: Record<string, unknown>;
  query?: string;
}

const KNOWN_FIELDS = new Set([
  'sys_id',
  'number',
  'state',
  'active',
  'correlation_id',
  'short_description',
  'description',
  'urgency',
  'impact',
  'category',
  'assignment_group',
  'caller_id',
  'close_code',
  'close_notes',
]);
const INACTIVE_STATES = new Set(['6', '7', '8']);

/**
 * ServiceNowIncidents in memory, for unit tests of the relay: an incident table with journal
 * entries, the encoded-query behaviour that matters (`field=value` terms joined by `^`, unknown
 * fields ignored so they match every row, ORDERBY ignored) and scripted failures.
 */
export class FakeServiceNowIncidents implements ServiceNowIncidents {
  readonly records = new Map<string, Record<string, string>>();
  readonly journal: Array<{ sysId: string; field: string; value: string }> = [];
  readonly calls: FakeCall[] = [];
  private nextNumber = 10001;
  /** Thrown (and removed) by the next calls, in order; `when` limits one to an operation. */
  private readonly failures: Array<{ error: Error; when?: Operation }> = [];
  /** Runs after a create is stored and before it answers (e.g. to throw, as if the answer was lost). */
  afterCreate?: (record: ServiceNowRecord) => void;
  /** The same after an update is applied. */
  afterUpdate?: (record: ServiceNowRecord) => void;

  failNext(error: Error, when?: Operation, times = 1): void {
    for (let i = 0; i < times; i += 1) this.failures.push({ error, when });
  }

  /** Ends every scripted failure (ServiceNow is back). */
  clearFailures(): void {
    this.failures.length = 0;
  }

  private maybeFail(operation: Operation): void {
    const i = this.failures.findIndex((f) => f.when === undefined || f.when === operation);
    if (i >= 0) throw this.failures.splice(i, 1)[0]!.error;
  }

  async create(fields: Record<string, unknown>): Promise<ServiceNowRecord> {
    this.calls.push({ operation: 'create', fields });
    this.maybeFail('create');
    const sysId = randomUUID().replace(/-/g, '');
    const record: Record<string, string> = {
      sys_id: sysId,
      number: `INC${String(this.nextNumber++).padStart(7, '0')}`,
      state: '1',
      active: 'true',
    };
    this.write(record, fields);
    this.records.set(sysId, record);
    const copy = { ...record };
    this.afterCreate?.(copy);
    return copy;
  }

  async update(sysId: string, fields: Record<string, unknown>): Promise<ServiceNowRecord> {
    this.calls.push({ operation: 'update', sysId, fields });
    this.maybeFail('update');
    const record = this.records.get(sysId);
    if (!record)
      throw new UpstreamError('servicenow answered 404 to PATCH incident', {
        upstream: 'servicenow',
        operation: 'PATCH incident',
        status: 404,
      });
    this.write(record, fields);
    const copy = { ...record };
    this.afterUpdate?.(copy);
    return copy;
  }

  /** The journal lookup: `query` names the marker looked for (`text`). */
  async workNotesContain(sysId: string, text: string): Promise<boolean> {
    this.calls.push({ operation: 'journal', sysId, query: text });
    this.maybeFail('journal');
    return this.notes(sysId).some((n) => n.includes(text));
  }

  async query(encodedQuery: string, options: { limit?: number } = {}): Promise<ServiceNowRecord[]> {
    this.calls.push({ operation: 'query', query: encodedQuery });
    this.maybeFail('query');
    const terms = encodedQuery
      .split('^')
      .filter((t) => t !== '' && !t.startsWith('ORDERBY'))
      .map((t) => t.split('='))
      .filter(([field]) => KNOWN_FIELDS.has(field!));
    const rows = [...this.records.values()].filter((r) => terms.every(([field, value]) => r[field!] === value));
    return rows.slice(0, options.limit ?? 1).map((r) => ({ ...r }));
  }

  /** Journal entries (work notes) of one incident. */
  notes(sysId: string): string[] {
    return this.journal.filter((j) => j.sysId === sysId && j.field === 'work_notes').map((j) => j.value);
  }

  private write(record: Record<string, string>, fields: Record<string, unknown>): void {
    for (const [k, v] of Object.entries(fields)) {
      if (k === 'work_notes' || k === 'comments') this.journal.push({ sysId: record.sys_id!, field: k, value: String(v) });
      else record[k] = String(v);
    }
    record.active = INACTIVE_STATES.has(record.state ?? '') ? 'false' : 'true';
  }
}
