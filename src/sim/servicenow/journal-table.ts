import type { IncidentTable } from './incident-table.js';

/**
 * `sys_journal_field` as the Table API shows it: one row per journal entry (work note or comment),
 * `element_id` the record's sys_id, `element` the field, `name` the record's table, `value` the text
 * (docs/servicenow.md, 'Journal entries'). Read-only here: the instance's entries come from writes to
 * the incident's journal fields.
 */
export const JOURNAL_TABLE = 'sys_journal_field';

const FIELDS = new Set(['sys_id', 'element_id', 'element', 'name', 'value', 'sys_created_on', 'sys_created_by']);

export function isJournalField(field: string): boolean {
  return FIELDS.has(field);
}

/** Every entry of every incident, as rows of strings. */
export function journalRows(table: IncidentTable): Array<Record<string, string>> {
  return table.all().flatMap((inc) =>
    inc.journal.map((j) => ({
      sys_id: j.sysId,
      element_id: inc.sysId,
      element: j.field,
      name: table.name,
      value: j.value,
      sys_created_on: j.createdOn,
      sys_created_by: j.author,
    })),
  );
}
