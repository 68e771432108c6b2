import type { IncidentKind, IncidentRow } from './incident-store.js';
import type { DecisionTx } from './decisions.js';
import type { TrunkEventRow, TrunkRow } from '../trunks/trunk-store.js';
import { trunkFacts } from './incident-facts.js';
import { changeNote, stateWords, trunkLabel } from './incident-notes.js';
import type { RuleSettings } from './incident-rules.js';
import type { SubjectContext } from './incident-writer.js';
import type { RotationTracker } from './rotation-tracker.js';
import { subjectState, type SubjectKey, type SubjectKeys, type SubjectState } from './subjects.js';

const MAX_NOTE_EVENTS = 10;

export interface TrunkSubjectDeps {
  settings: RuleSettings;
  /** The Genesys token rotations of an org (a failure just after one is a clue). */
  rotations: (org: string) => RotationTracker;
  keys: SubjectKeys;
}

/** A trunk or trunk-base subject as the rules and the writer need it. */
export interface LoadedTrunkSubject {
  ctx: SubjectContext;
  state: SubjectState;
  /**
   * Genesys lists none of the subject's trunks any more (the trunk, or every trunk of the base, was
   * deleted or is no longer EXTERNAL): it can never be seen healthy again.
   */
  gone: boolean;
}

const unique = (ids: string[]) => [...new Set(ids)];

/**
 * Loads a trunk or trunk-base subject inside the caller's transaction: its listed trunks, its health
 * (`subjectState`) and how to describe it. `open` is its open incident, whose trunks stay in the
 * texts after they recover. Null when a trunk subject's trunk is unknown.
 */
export async function loadTrunkSubject(
  tx: DecisionTx,
  key: SubjectKey,
  open: IncidentRow | null,
  deps: TrunkSubjectDeps & { now: number; trunk?: TrunkRow },
): Promise<LoadedTrunkSubject | null> {
  let all: TrunkRow[];
  let trunkBase: { id: string; name: string | null } | null = null;
  if (key.type === 'trunk') {
    const trunk = deps.trunk ?? (await tx.getTrunk(key.trunkId));
    if (!trunk) return null;
    all = [trunk];
  } else {
    all = await tx.listTrunksOfBase(key.trunkBaseId);
    trunkBase = { id: key.trunkBaseId, name: all.find((t) => t.trunkBaseName !== null)?.trunkBaseName ?? null };
  }
  // A trunk Genesys no longer lists has left its trunk base: it neither fails nor heals the base. Nor
  // does one still served by an incident of its own (opened before the grouping): no trunk is in two.
  const members =
    key.type === 'trunk'
      ? all
      : await withoutOwnIncident(
          tx,
          deps.keys,
          all.filter((t) => t.goneAt === null),
        );
  const state = subjectState(members, { now: deps.now, openAfterMs: deps.settings.openAfterMs });
  const byId = new Map(all.map((t) => [t.trunkId, t]));
  const concerned = key.type === 'trunkBase' && open ? await tx.listIncidentTrunks(open.id) : [];
  // A trunk the incident concerns may have left the base since (moved to another one): still described.
  for (const id of concerned) {
    const moved = byId.has(id) ? null : await tx.getTrunk(id);
    if (moved) byId.set(id, moved);
  }
  const affected = unique([...concerned, ...state.failing.map((t) => t.trunkId)])
    .map((id) => byId.get(id))
    .filter((t): t is TrunkRow => t !== undefined);
  const described = affected.length > 0 ? affected : members.length > 0 ? members : all;
  const { settings, rotations, now } = deps;
  const lead = described[0];
  const ctx: SubjectContext = {
    correlationId: key.correlationId,
    route: {
      org: key.org,
      trunkId: lead?.trunkId,
      trunkName: lead?.name ?? undefined,
      trunkBaseId: lead?.trunkBaseId ?? (key.type === 'trunkBase' ? key.trunkBaseId : undefined),
      edgeId: lead?.edgeId ?? undefined,
      edgeName: lead?.edgeName ?? undefined,
    },
    trunkBaseId: key.type === 'trunkBase' ? key.trunkBaseId : null,
    failingTrunkIds: state.failing.map((t) => t.trunkId),
    now: { health: state.health, kind: state.kind, failingSince: state.failingSince, healthySince: state.healthySince },
    facts: (kind: IncidentKind) =>
      trunkFacts(
        { trunkBase, members, affected: described },
        {
          ...settings,
          kind,
          correlationId: key.correlationId,
          rotations: rotations(key.org).rotations(),
          watchingSince: rotations(key.org).watchingSince,
          now,
        },
      ),
    note: async (t, incident, changes) =>
      changeNote({
        members: described,
        events: await eventsSince(t, described, incident.lastNoteAt ?? incident.openedAt),
        changes,
        since: incident.lastNoteAt,
        resolveAfterMs: settings.resolveAfterMs,
      }),
    relapse: () => {
      const failing = state.failing.length > 0 ? state.failing : described;
      if (key.type === 'trunk' || failing.length === 0) return failing[0] ? stateWords(failing[0]) : 'failing again';
      return failing.map((t) => `${trunkLabel(t)}: ${stateWords(t)}`).join('; ');
    },
  };
  // No trunk listed under the base any more (deleted, or moved to another trunk base) counts as gone too.
  const gone = all.every((t) => t.goneAt !== null);
  return { ctx, state, gone };
}

async function withoutOwnIncident(tx: DecisionTx, keys: SubjectKeys, trunks: TrunkRow[]): Promise<TrunkRow[]> {
  const kept: TrunkRow[] = [];
  for (const t of trunks) if (!(await tx.getOpenIncident(keys.trunk(t.org, t.trunkId).correlationId))) kept.push(t);
  return kept;
}

async function eventsSince(tx: DecisionTx, trunks: TrunkRow[], after: number): Promise<TrunkEventRow[]> {
  const events: TrunkEventRow[] = [];
  for (const t of trunks) events.push(...(await tx.listTrunkEvents(t.trunkId, { afterAt: after, limit: MAX_NOTE_EVENTS })));
  return events;
}
