import type { IncidentGrouping } from '../config/config.js';
import type { IncidentRow } from './incident-store.js';
import type { IncidentStore } from './incident-store.js';
import type { TrunkRow } from '../trunks/trunk-store.js';
import { healthOf } from '../trunks/health-timers.js';
import { singleOrgNames, type SubjectNames } from '../trunks/subject-names.js';
import { kindOf, type SubjectNow } from './incident-rules.js';

/**
 * What an incident is about. A trunk base is one carrier's settings, instantiated as one trunk per
 * Edge (docs/genesys-cloud.md, "Trunk bases"), so a carrier outage fails every one of them at once:
 * with `INCIDENT_GROUP_BY=trunkBase` (the default) those trunks share one incident. A trunk without a
 * known base (one only reported through `POST /v1/events`), or every trunk with `INCIDENT_GROUP_BY=trunk`,
 * has its own.
 */
export type SubjectKey =
  | { type: 'trunk'; org: string; trunkId: string; correlationId: string }
  | { type: 'trunkBase'; org: string; trunkBaseId: string; correlationId: string };

export type { IncidentGrouping } from '../config/config.js';

/** The credentials incident's correlation id with one org (no connections file). */
export const GENESYS_CREDENTIALS_CORRELATION_ID = singleOrgNames.credentials('default');

/** Makes subject keys with one naming scheme (SubjectNames: single-org or per org). */
export class SubjectKeys {
  constructor(readonly names: SubjectNames = singleOrgNames) {}

  trunk(org: string, trunkId: string): SubjectKey {
    return { type: 'trunk', org, trunkId, correlationId: this.names.trunk(org, trunkId) };
  }

  trunkBase(org: string, trunkBaseId: string): SubjectKey {
    return { type: 'trunkBase', org, trunkBaseId, correlationId: this.names.trunkBase(org, trunkBaseId) };
  }

  /**
   * The subject an open incident is about; null for a credentials incident. It keeps the incident's own
   * correlation id: one opened under other names (before a connections file was introduced, say) is
   * still reviewed, and resolved, under the id ServiceNow knows it by.
   */
  ofIncident(incident: IncidentRow): SubjectKey | null {
    const { org, trunkBaseId, trunkId, correlationId } = incident;
    if (trunkBaseId !== null && correlationId.includes(':trunkbase:')) return { type: 'trunkBase', org, trunkBaseId, correlationId };
    return trunkId !== null ? { type: 'trunk', org, trunkId, correlationId } : null;
  }

  /**
   * The subject a trunk's failures are reported under. An incident already open under the other
   * grouping (opened before an upgrade, or before `INCIDENT_GROUP_BY` changed) keeps serving the trunk
   * until it is resolved: no duplicate incident, and none left behind.
   */
  async ofTrunk(
    ops: Pick<IncidentStore, 'getOpenIncident'>,
    trunk: { org: string; trunkId: string; trunkBaseId: string | null },
    grouping: IncidentGrouping,
  ): Promise<SubjectKey> {
    const own = this.trunk(trunk.org, trunk.trunkId);
    if (trunk.trunkBaseId === null) return own;
    const base = this.trunkBase(trunk.org, trunk.trunkBaseId);
    const [preferred, other] = grouping === 'trunkBase' ? [base, own] : [own, base];
    if (await ops.getOpenIncident(preferred.correlationId)) return preferred;
    return (await ops.getOpenIncident(other.correlationId)) ? other : preferred;
  }
}

/** A subject's health right now, with the trunks it is made of and those of them failing. */
export interface SubjectState extends SubjectNow {
  /** The listed trunks of the subject (one for a trunk subject). */
  members: TrunkRow[];
  /** Failing members, the longest failing first. */
  failing: TrunkRow[];
}

/**
 * The health of a group of trunks: failing while any of them fails (rejected when any is rejected),
 * healthy only once every one is healthy (from when the last one became so), unknown otherwise. The
 * failure episode starts at the earliest live episode of any member: one still failing, or healthy for
 * less than `openAfterMs` (a flap). A member's episode kept only because an incident was open is over
 * once that incident is resolved, so it cannot make a new failure look old. For one trunk this is its
 * own state.
 */
export function subjectState(members: TrunkRow[], live: { now: number; openAfterMs: number }): SubjectState {
  const failing = members
    .filter((t) => healthOf(t.state) === 'failing')
    .sort((a, b) => (a.failingSince ?? a.since) - (b.failingSince ?? b.since));
  const episodeLive = (t: TrunkRow) =>
    healthOf(t.state) === 'failing' || t.healthySince === null || live.now - t.healthySince < live.openAfterMs;
  const episodes = members
    .filter(episodeLive)
    .map((t) => t.failingSince)
    .filter((at): at is number => at !== null);
  const failingSince = episodes.length > 0 ? Math.min(...episodes) : null;
  if (failing.length > 0) {
    const kind = failing.some((t) => t.state === 'rejected') ? kindOf('rejected') : kindOf('dropped');
    return { members, failing, health: 'failing', kind, failingSince, healthySince: null };
  }
  const healthy = members.length > 0 && members.every((t) => healthOf(t.state) === 'healthy' && t.healthySince !== null);
  if (!healthy) return { members, failing, health: 'unknown', kind: null, failingSince, healthySince: null };
  return { members, failing, health: 'healthy', kind: null, failingSince, healthySince: Math.max(...members.map((t) => t.healthySince!)) };
}
