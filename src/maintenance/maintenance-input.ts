import { randomUUID } from 'node:crypto';
import { NotFoundError, ValidationError, type ErrorDetail } from '../errors/app-error.js';
import type { MaintenanceRequest, MaintenanceView } from './maintenance-schemas.js';
import type { MaintenanceScope, MaintenanceWindow } from './maintenance-store.js';
import { isActive } from './maintenance-rules.js';

/** The longest window accepted: a carrier's maintenance is hours; a week of silence should be a decision made again. */
export const MAX_WINDOW_MS = 7 * 86_400_000;

const ID_KINDS = [
  ['trunkId', 'trunk'],
  ['trunkBaseId', 'trunkBase'],
  ['edgeId', 'edge'],
] as const;

/**
 * A schema-valid request as a new window: the scope's one-of rule and its org (default: the first org
 * for an id, every org for `all`), a start in the past taken as now, an end after the start and in the
 * future, at most MAX_WINDOW_MS long. Problems are `validation_failed` with JSON Pointers; an org that
 * is not configured is `not_found`, as in `POST /v1/events`.
 */
export function windowFromRequest(
  req: MaintenanceRequest,
  context: { now: number; orgs: readonly string[]; createdBy: string },
): MaintenanceWindow {
  const { now, orgs } = context;
  const s = req.scope;
  const given = [...ID_KINDS.filter(([field]) => s[field] !== undefined).map(([, kind]) => kind), ...(s.all ? ['all' as const] : [])];
  const problems: ErrorDetail[] = [];
  if (given.length !== 1) problems.push({ path: '/scope', message: 'give exactly one of trunkId, trunkBaseId, edgeId or "all": true' });
  const startsAt = Math.max(now, req.startsAt === undefined ? now : Date.parse(req.startsAt));
  const endsAt = Date.parse(req.endsAt);
  if (endsAt <= now) problems.push({ path: '/endsAt', message: 'must be in the future' });
  else if (endsAt <= startsAt) problems.push({ path: '/endsAt', message: 'must be after startsAt' });
  else if (endsAt - startsAt > MAX_WINDOW_MS) problems.push({ path: '/endsAt', message: 'must be at most 7 days after startsAt' });
  if (problems.length > 0) throw new ValidationError('The maintenance window is not valid', problems);
  if (s.org !== undefined && !orgs.includes(s.org)) throw new NotFoundError(`No Genesys org named ${s.org} is configured`);
  const kind = given[0]!;
  const scope: MaintenanceScope =
    kind === 'all'
      ? { kind, id: null, org: s.org ?? null }
      : { kind, id: String(s[ID_KINDS.find(([, k]) => k === kind)![0]]), org: s.org ?? orgs[0] ?? 'default' };
  return {
    id: randomUUID(),
    scope,
    startsAt,
    endsAt,
    reason: req.reason,
    createdBy: context.createdBy,
    createdAt: now,
    startNotedAt: null,
    endNotedAt: null,
  };
}

const iso = (ms: number) => new Date(ms).toISOString();

/** A window as the API shows it. */
export function maintenanceView(w: MaintenanceWindow, now: number): MaintenanceView {
  const field = ID_KINDS.find(([, k]) => k === w.scope.kind)?.[0];
  const scope: MaintenanceView['scope'] =
    w.scope.kind === 'all'
      ? { all: true, ...(w.scope.org !== null ? { org: w.scope.org } : {}) }
      : { [field!]: w.scope.id, org: w.scope.org ?? undefined };
  return {
    id: w.id,
    scope,
    startsAt: iso(w.startsAt),
    endsAt: iso(w.endsAt),
    reason: w.reason,
    createdBy: w.createdBy,
    active: isActive(w, now),
  };
}
