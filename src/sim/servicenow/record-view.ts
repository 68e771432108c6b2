import { JOURNAL_FIELDS, REFERENCE_TABLES } from './incident-table.js';

export interface RecordViewOptions {
  /** `sysparm_fields`: only these fields (unknown names are left out); null = all. */
  fields: string[] | null;
  /** Base URL for reference links; null when `sysparm_exclude_reference_link=true`. */
  referenceBaseUrl: string | null;
}

/** `{link, value}`: how the Table API renders a filled reference field unless links are excluded. */
export interface ReferenceValue {
  link: string;
  value: string;
}

/**
 * A record as the Table API returns it with `sysparm_display_value=false` (the default): strings,
 * empty journal fields, and reference fields as `{link, value}` when they hold a value.
 */
export function viewRecord(fields: Record<string, string>, options: RecordViewOptions): Record<string, string | ReferenceValue> {
  const names = options.fields ?? Object.keys(fields);
  const view: Record<string, string | ReferenceValue> = {};
  for (const name of names) {
    const value = fields[name];
    if (value === undefined) continue;
    if (JOURNAL_FIELDS.has(name)) {
      view[name] = '';
      continue;
    }
    const table = REFERENCE_TABLES[name];
    view[name] =
      table && value !== '' && options.referenceBaseUrl !== null
        ? { link: `${options.referenceBaseUrl}/api/now/table/${table}/${value}`, value }
        : value;
  }
  return view;
}

/** Reads `sysparm_fields` and `sysparm_exclude_reference_link` from a request's query. */
export function viewOptionsFrom(params: URLSearchParams, baseUrl: string): RecordViewOptions {
  const list = params.get('sysparm_fields');
  const fields = list
    ? list
        .split(',')
        .map((f) => f.trim())
        .filter((f) => f !== '')
    : null;
  const exclude = (params.get('sysparm_exclude_reference_link') ?? '').toLowerCase() === 'true';
  return { fields: fields && fields.length > 0 ? fields : null, referenceBaseUrl: exclude ? null : baseUrl };
}
