import type { SimUser } from './options.js';
import { SYS_ID_PATTERN } from './wire.js';

/** A record of a table an incident points to: `name` (its display value), any other string fields, and a sys_id (made up when absent). */
export type SimReferenceRecord = { sys_id?: string; name: string } & Record<string, string>;

/** The records of `sys_user_group` and `cmdb_ci` a simulated instance starts with (its users are `sys_user`). */
export interface ReferenceRecordOptions {
  sys_user_group?: SimReferenceRecord[];
  cmdb_ci?: SimReferenceRecord[];
}

/** Fixed sys_ids of the demo records, so examples and tests can name them. */
export const demoReferenceIds = {
  networkOperations: '3d5b8f0e1b2c4a6d8e9f0a1b2c3d4e5f',
  serviceDesk: 'd625dccec0a8016700a222a0f7900d06',
  byocTrunks: '7e0a3c52db0e4f1a9b6c5d4e3f2a1b0c',
} as const;

/** What `npm run sim` and the tests get unless they pass their own records. */
export const DEMO_REFERENCE_RECORDS: Required<ReferenceRecordOptions> = {
  sys_user_group: [
    { sys_id: demoReferenceIds.networkOperations, name: 'Network Operations', active: 'true' },
    { sys_id: demoReferenceIds.serviceDesk, name: 'Service Desk', active: 'true' },
  ],
  cmdb_ci: [{ sys_id: demoReferenceIds.byocTrunks, name: 'Genesys Cloud BYOC trunks', sys_class_name: 'cmdb_ci' }],
};

/** One row, as the Table API view expects it. */
export interface ReferenceRow {
  sysId: string;
  fields: Record<string, string>;
}

/**
 * A read-only table (`sys_user`, `sys_user_group`, `cmdb_ci`): enough for a client to check that a
 * reference value (a sys_id or a name) names a record. Queries on a field the table does not have are
 * ignored, as on the instance, so they match every row.
 */
export class ReferenceTable {
  private readonly rows: ReferenceRow[];
  private readonly fields: Set<string>;

  constructor(
    readonly name: string,
    records: Array<Record<string, string>>,
    makeSysId: () => string,
  ) {
    this.rows = records.map((r) => {
      const sysId = r.sys_id !== undefined && SYS_ID_PATTERN.test(r.sys_id) ? r.sys_id : makeSysId();
      return { sysId, fields: { ...r, sys_id: sysId } };
    });
    this.fields = new Set(['sys_id', 'name', 'active', ...this.rows.flatMap((r) => Object.keys(r.fields))]);
  }

  hasField(field: string): boolean {
    return this.fields.has(field);
  }

  get(sysId: string): ReferenceRow | undefined {
    return this.rows.find((r) => r.sysId === sysId);
  }

  all(): ReferenceRow[] {
    return [...this.rows];
  }
}

/** The reference tables of one instance: `sys_user` from its users, the others from `records`. */
export function createReferenceTables(
  users: Iterable<SimUser>,
  records: ReferenceRecordOptions,
  makeSysId: () => string,
): Map<string, ReferenceTable> {
  const userRows = [...users].map((u) => ({
    sys_id: u.sysId,
    user_name: u.username,
    name: u.username,
    active: 'true',
    roles: u.roles.join(','),
  }));
  return new Map([
    ['sys_user', new ReferenceTable('sys_user', userRows, makeSysId)],
    ['sys_user_group', new ReferenceTable('sys_user_group', records.sys_user_group ?? DEMO_REFERENCE_RECORDS.sys_user_group, makeSysId)],
    ['cmdb_ci', new ReferenceTable('cmdb_ci', records.cmdb_ci ?? DEMO_REFERENCE_RECORDS.cmdb_ci, makeSysId)],
  ]);
}
