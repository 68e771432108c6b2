import type { SimUser } from './options.js';
import { SYS_ID_PATTERN, glideDateTime, newSysId } from './wire.js';

/** One journal entry (a work note or an additional comment), as `sys_journal_field` keeps it. */
export interface JournalEntry {
  /** The entry's own sys_id (a row of sys_journal_field). */
  sysId: string;
  field: 'work_notes' | 'comments';
  value: string;
  author: string;
  /** "YYYY-MM-DD HH:mm:ss" UTC. */
  createdOn: string;
  /** Epoch milliseconds on the simulator's clock. */
  at: number;
}

/** An incident as the simulator stores it: every field as a string, plus its journal. */
export interface SimIncident {
  sysId: string;
  number: string;
  fields: Record<string, string>;
  journal: JournalEntry[];
}

export interface WriteContext {
  user: SimUser;
  now: number;
}

/** The incident (and inherited task) fields the simulator knows; anything else is ignored, as the instance does. */
export const INCIDENT_FIELDS: readonly string[] = [
  'sys_id',
  'number',
  'short_description',
  'description',
  'urgency',
  'impact',
  'priority',
  'severity',
  'state',
  'incident_state',
  'active',
  'hold_reason',
  'close_code',
  'close_notes',
  'work_notes',
  'comments',
  'correlation_id',
  'correlation_display',
  'assignment_group',
  'assigned_to',
  'caller_id',
  'opened_by',
  'category',
  'subcategory',
  'cmdb_ci',
  'business_service',
  'company',
  'location',
  'contact_type',
  'watch_list',
  'work_notes_list',
  'problem_id',
  'parent_incident',
  'opened_at',
  'resolved_at',
  'resolved_by',
  'closed_at',
  'closed_by',
  'reopen_count',
  'reopened_time',
  'reopened_by',
  'sys_created_on',
  'sys_created_by',
  'sys_updated_on',
  'sys_updated_by',
  'sys_mod_count',
  'sys_class_name',
];

/** Reference fields and the table each points to; rendered as `{link, value}` like the instance does. */
export const REFERENCE_TABLES: Readonly<Record<string, string>> = {
  assignment_group: 'sys_user_group',
  assigned_to: 'sys_user',
  caller_id: 'sys_user',
  opened_by: 'sys_user',
  resolved_by: 'sys_user',
  closed_by: 'sys_user',
  reopened_by: 'sys_user',
  cmdb_ci: 'cmdb_ci',
  business_service: 'cmdb_ci_service',
  company: 'core_company',
  location: 'cmn_location',
  problem_id: 'problem',
  parent_incident: 'incident',
};

export const JOURNAL_FIELDS: ReadonlySet<string> = new Set(['work_notes', 'comments']);
const SYSTEM_MAINTAINED = new Set([
  'sys_created_on',
  'sys_created_by',
  'sys_updated_on',
  'sys_updated_by',
  'sys_mod_count',
  'sys_class_name',
]);
const KNOWN = new Set(INCIDENT_FIELDS);
const CLOSED_STATES = new Set(['6', '7', '8']);

// The out-of-the-box priority lookup (impact, urgency → priority).
const PRIORITY: Readonly<Record<string, string>> = {
  '1,1': '1',
  '1,2': '2',
  '2,1': '2',
  '1,3': '3',
  '2,2': '3',
  '3,1': '3',
  '2,3': '4',
  '3,2': '4',
  '3,3': '5',
};

/** The Table API stores every value as a string; numbers and booleans arrive as their text. */
function toFieldValue(raw: unknown): string {
  if (raw === null || raw === undefined) return '';
  if (typeof raw === 'string') return raw;
  if (typeof raw === 'number' || typeof raw === 'boolean') return String(raw);
  return JSON.stringify(raw);
}

/** The `incident` table: numbering, defaults, journal fields and the state rules of the incident business rules. */
export class IncidentTable {
  readonly name = 'incident';
  private readonly rows = new Map<string, SimIncident>();
  private nextNumber = 10001;

  constructor(private readonly options: { resolvedIsActive: boolean }) {}

  hasField(field: string): boolean {
    return KNOWN.has(field);
  }

  get(sysId: string): SimIncident | undefined {
    return this.rows.get(sysId);
  }

  all(): SimIncident[] {
    return [...this.rows.values()];
  }

  create(input: Record<string, unknown>, ctx: WriteContext): SimIncident {
    const stamp = glideDateTime(ctx.now);
    const requested = toFieldValue(input.sys_id);
    const sysId = SYS_ID_PATTERN.test(requested) && !this.rows.has(requested) ? requested : newSysId();
    const fields: Record<string, string> = Object.fromEntries(INCIDENT_FIELDS.map((f) => [f, '']));
    Object.assign(fields, {
      sys_id: sysId,
      number: `INC${String(this.nextNumber++).padStart(7, '0')}`,
      state: '1',
      incident_state: '1',
      active: 'true',
      impact: '3',
      urgency: '3',
      priority: '5',
      severity: '3',
      category: 'inquiry',
      reopen_count: '0',
      opened_at: stamp,
      opened_by: ctx.user.sysId,
      sys_created_on: stamp,
      sys_created_by: ctx.user.username,
      sys_updated_on: stamp,
      sys_updated_by: ctx.user.username,
      sys_mod_count: '0',
      sys_class_name: 'incident',
    });
    const row: SimIncident = { sysId, number: fields.number!, fields, journal: [] };
    this.apply(row, { ...input, sys_id: undefined }, ctx, '1');
    row.number = fields.number!;
    this.rows.set(sysId, row);
    return row;
  }

  update(sysId: string, input: Record<string, unknown>, ctx: WriteContext): SimIncident | undefined {
    const row = this.rows.get(sysId);
    if (!row) return undefined;
    const { sys_id: _ignored, ...changes } = input;
    // Like the instance, an update that changes nothing leaves sys_updated_on and sys_mod_count alone.
    if (this.apply(row, changes, ctx, row.fields.state ?? '')) {
      row.fields.sys_mod_count = String(Number(row.fields.sys_mod_count ?? '0') + 1);
    }
    row.number = row.fields.number ?? row.number;
    return row;
  }

  delete(sysId: string): boolean {
    return this.rows.delete(sysId);
  }

  /** Copies, so callers cannot change the simulator's data. */
  snapshot(): SimIncident[] {
    return this.all().map((r) => ({ ...r, fields: { ...r.fields }, journal: r.journal.map((j) => ({ ...j })) }));
  }

  reset(): void {
    this.rows.clear();
    this.nextNumber = 10001;
  }

  /** Writes `input` and runs the state rules; true when anything changed. */
  private apply(row: SimIncident, input: Record<string, unknown>, ctx: WriteContext, previousState: string): boolean {
    const f = row.fields;
    const stamp = glideDateTime(ctx.now);
    const before = JSON.stringify(f);
    const journalBefore = row.journal.length;
    for (const [name, raw] of Object.entries(input)) {
      if (raw === undefined || !KNOWN.has(name) || SYSTEM_MAINTAINED.has(name)) continue;
      const value = toFieldValue(raw);
      if (JOURNAL_FIELDS.has(name)) {
        // Journal fields append an entry per write and read back empty through the Table API.
        if (value.trim() !== '') {
          row.journal.push({
            sysId: newSysId(),
            field: name as JournalEntry['field'],
            value,
            author: ctx.user.username,
            createdOn: stamp,
            at: ctx.now,
          });
        }
        continue;
      }
      f[name] = value;
    }
    // `incident_state` mirrors `state` (business rules keep the two in step).
    if (input.state !== undefined) f.incident_state = f.state!;
    else if (input.incident_state !== undefined) f.state = f.incident_state!;
    f.priority = PRIORITY[`${f.impact},${f.urgency}`] ?? f.priority!;
    if (f.state !== previousState) this.onStateChange(f, previousState, ctx.user, stamp);
    const changed = JSON.stringify(f) !== before || row.journal.length !== journalBefore;
    if (changed) {
      f.sys_updated_on = stamp;
      f.sys_updated_by = ctx.user.username;
    }
    return changed;
  }

  private onStateChange(f: Record<string, string>, previous: string, user: SimUser, stamp: string): void {
    const next = f.state!;
    const closed = CLOSED_STATES.has(next);
    f.active = closed && !(next === '6' && this.options.resolvedIsActive) ? 'false' : 'true';
    if (next === '6' || (next === '7' && !f.resolved_at)) {
      f.resolved_at = stamp;
      f.resolved_by = user.sysId;
    }
    if (next === '7') {
      f.closed_at = stamp;
      f.closed_by = user.sysId;
    }
    if (CLOSED_STATES.has(previous) && !closed) {
      f.reopen_count = String(Number(f.reopen_count || '0') + 1);
      f.reopened_time = stamp;
      f.reopened_by = user.sysId;
    }
  }
}
