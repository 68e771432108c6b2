import { parse } from 'yaml';
import { encodedQueryValue } from '../upstream/servicenow-client.js';
import type { FieldValues, IncidentMapping } from '../incidents/incident-mapping.js';
import { upstreamStatusOf } from '../upstream/genesys-notifications-client.js';
import type { ServiceNowRecord } from '../upstream/servicenow-client.js';
import { fail, messageOf, NotChecked, pass, warn, type Check } from './check.js';
import type { ServiceNowProbe } from './servicenow-probe.js';

/** The incident mapping as loaded, with the text it came from (to name the variable behind a value). */
export interface LoadedMapping {
  mapping: IncidentMapping;
  /** The file, or "built-in". */
  source: string;
  text: string;
}

/** Reference fields of incident.yaml whose values only the instance knows, and where to look them up. */
const LOOKUPS: Record<string, { table: string; by: string[] }> = {
  assignment_group: { table: 'sys_user_group', by: ['name'] },
  caller_id: { table: 'sys_user', by: ['user_name', 'name'] },
  cmdb_ci: { table: 'cmdb_ci', by: ['name'] },
};

const SYS_ID = /^[0-9a-f]{32}$/i;
const ENV_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)/g;

interface Use {
  field: string;
  value: string;
  /** The YAML path it was set at, e.g. ['fields'] or ['kinds', 'credentials_failed', 'fields']. */
  at: string[];
}

/** Every non-empty value of a reference field, in `fields`, each kind's `fields` and `resolve.fields`. */
function usesOf(mapping: IncidentMapping): Use[] {
  const file = mapping.file;
  const places: Array<[string[], FieldValues | undefined]> = [
    [['fields'], file.fields],
    ...Object.entries(file.kinds).map(([kind, k]): [string[], FieldValues | undefined] => [['kinds', kind, 'fields'], k.fields]),
    [['resolve', 'fields'], file.resolve.fields],
  ];
  const uses: Use[] = [];
  for (const [at, fields] of places) {
    for (const [field, value] of Object.entries(fields ?? {})) {
      if (!(field in LOOKUPS) || value === '') continue;
      if (!uses.some((u) => u.field === field && u.value === String(value))) uses.push({ field, value: String(value), at });
    }
  }
  return uses;
}

/** "INCIDENT_ASSIGNMENT_GROUP (assignment_group in mappings/incident.yaml)": the setting to change. */
function settingOf(use: Use, loaded: LoadedMapping): string {
  let raw: unknown;
  try {
    raw = [...use.at, use.field].reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], parse(loaded.text));
  } catch {
    raw = undefined;
  }
  const where = `${use.field} in ${loaded.source === 'built-in' ? 'the built-in incident mapping' : loaded.source}`;
  const names = typeof raw === 'string' ? [...raw.matchAll(ENV_REF)].map((m) => m[1]!) : [];
  return names.length > 0 ? `${names.join(' / ')} (${where})` : where;
}

/** Looks one value up: by sys_id when it looks like one, else by name; only an exact match counts. */
async function lookUp(probe: ServiceNowProbe, use: Use, signal: AbortSignal): Promise<ServiceNowRecord | undefined> {
  const { table, by } = LOOKUPS[use.field]!;
  const fields = SYS_ID.test(use.value) ? ['sys_id'] : by;
  // ServiceNow ignores a condition on a field it does not know and then matches every row
  // (docs/servicenow.md, 'Encoded queries'): what comes back is checked, not trusted.
  const query = fields.map((f, i) => `${i > 0 ? '^OR' : ''}${f}=${encodedQueryValue(use.value)}`).join('');
  const api = await probe.api();
  const { body } = await api.send(
    {
      operation: `GET ${table}`,
      method: 'GET',
      path: `/api/now/table/${table}`,
      query: new URLSearchParams({
        sysparm_query: query,
        sysparm_limit: '1',
        sysparm_fields: ['sys_id', ...by].join(','),
        sysparm_exclude_reference_link: 'true',
      }),
    },
    { signal },
  );
  const rows = (body as { result?: unknown } | undefined)?.result;
  const wanted = use.value.toLowerCase();
  return (Array.isArray(rows) ? (rows as ServiceNowRecord[]) : []).find((r) =>
    fields.some((f) => String(r[f] ?? '').toLowerCase() === wanted),
  );
}

/** The other half of what identifies the record: its name when looked up by sys_id, else its sys_id. */
function recordWords(record: ServiceNowRecord, value: string): string {
  const sysId = String(record.sys_id ?? '?');
  const name = typeof record.name === 'string' && record.name !== '' ? record.name : undefined;
  return sysId.toLowerCase() === value.toLowerCase() && name ? `"${name}"` : sysId;
}

/** servicenow-reference-fields: assignment_group, caller_id, cmdb_ci of incident.yaml name records of the instance. */
export function referenceFieldsCheck(probe: ServiceNowProbe, loadMapping: () => Promise<LoadedMapping>): Check {
  return {
    name: 'servicenow-reference-fields',
    run: async (signal) => {
      const loaded = await loadMapping().catch(() => {
        throw new NotChecked('incident-mapping', 'the incident mapping does not load');
      });
      const uses = usesOf(loaded.mapping);
      const unset = Object.keys(LOOKUPS).filter((f) => !uses.some((u) => u.field === f));
      const unsetSaid = unset.length > 0 ? `${unset.join(', ')} not set` : '';
      if (uses.length === 0)
        return pass(
          `${unsetSaid} in ${loaded.source === 'built-in' ? 'the built-in incident mapping' : loaded.source} (incidents get the instance's defaults)`,
        );
      await probe.incidentReadOrSkip(signal);
      const found: string[] = [];
      const missing: Use[] = [];
      const unreadable: string[] = [];
      for (const use of uses) {
        const { table } = LOOKUPS[use.field]!;
        try {
          const record = await lookUp(probe, use, signal);
          if (record) found.push(`${use.field} "${use.value}" is ${table} ${recordWords(record, use.value)}`);
          else missing.push(use);
        } catch (err) {
          if (err instanceof NotChecked) throw err;
          unreadable.push(`${use.field}: ${table} cannot be read (${upstreamStatusOf(err) ?? messageOf(err)})`);
        }
      }
      const said = [...found, ...unreadable, unsetSaid].filter(Boolean).join('; ');
      if (missing.length > 0) {
        const names = missing.map((u) => `${u.field} "${u.value}" names no ${LOOKUPS[u.field]!.table} record`).join('; ');
        const fixes = missing.map((u) => `set ${settingOf(u, loaded)} to the sys_id or exact name of a ${LOOKUPS[u.field]!.table} record`);
        return fail([names, said].filter(Boolean).join('; '), `${fixes.join('; ')}`);
      }
      if (unreadable.length > 0)
        return warn(
          said,
          `give the integration user read access to ${[...new Set(uses.map((u) => LOOKUPS[u.field]!.table))].join(', ')}, or check these values by hand`,
        );
      return pass(said);
    },
  };
}
