// The storm of `npm run bench -- orgs`: which trunks fail and when, and what is checked afterwards —
// incidents opened = subjects that failed (exactly), each at the right ServiceNow instance, state
// change → first ServiceNow request, and each org's Genesys calls against its budget.
import type { TrunkgateApp } from '../../src/app/create-app.js';
import { perOrgNames } from '../../src/trunks/subject-names.js';
import type { OrgSimsReport } from './org-sims.js';
import { rng } from '../stats.js';
import { maxInWindow, ms, shuffled } from './orgs-measure.js';

export interface StormTrunk {
  org: string;
  trunkId: string;
  /** Its subject as trunkgate names it (INCIDENT_GROUP_BY=trunk: the trunk; with a connections file: per org). */
  subject: string;
  offsetMs: number;
}

/** `share` of each org's `candidates`, failing at seeded offsets spread over `spreadMs`, all orgs interleaved. */
export function stormPlan(candidates: Record<string, string[]>, perOrg: number, spreadMs: number, seed: number): StormTrunk[] {
  const random = rng(seed);
  return Object.entries(candidates).flatMap(([org, ids]) =>
    shuffled(ids, random)
      .slice(0, perOrg)
      .map((trunkId) => ({ org, trunkId, subject: perOrgNames.trunk(org, trunkId), offsetMs: Math.floor(random() * spreadMs) })),
  );
}

/** Whether every storm subject has reached ServiceNow and the outbox is empty. */
export function stormDelivered(storm: StormTrunk[], report: OrgSimsReport): boolean {
  const recorded = new Set(Object.values(report.incidentsByInstance).flat());
  return storm.every((t) => recorded.has(t.subject) && t.subject in report.firstRequestAt);
}

export async function stormFigures(options: {
  app: TrunkgateApp;
  storm: StormTrunk[];
  /** Subjects that failed before the storm (the latency phase's trunks): their incidents are expected too. */
  earlier: Set<string>;
  expectedInstance: Record<string, string>;
  report: OrgSimsReport;
  /** When the storm began and when everything was delivered (epoch ms), for the Genesys window. */
  window: { from: number; to: number };
  rateLimitPerMinute: number;
}) {
  const { app, storm, report, expectedInstance } = options;
  const subjects = new Set(storm.map((t) => t.subject));
  const orgOf = new Map(storm.map((t) => [t.subject, t.org]));

  // ServiceNow: every record, by instance.
  const seen = new Map<string, string[]>();
  for (const [instance, ids] of Object.entries(report.incidentsByInstance))
    for (const id of ids) seen.set(id, [...(seen.get(id) ?? []), instance]);
  const stormRecords = [...seen].filter(([id]) => subjects.has(id));
  const duplicates = stormRecords.filter(([, instances]) => instances.length > 1).length;
  const misrouted = stormRecords.filter(([id, instances]) => instances.some((i) => i !== expectedInstance[orgOf.get(id)!])).length;
  const unexpected = [...seen.keys()].filter((id) => !subjects.has(id) && !options.earlier.has(id)).length;
  const perInstance = Object.fromEntries(
    Object.keys(report.incidentsByInstance).map((instance) => [
      instance,
      {
        stormRecords: stormRecords.filter(([, instances]) => instances.includes(instance)).length,
        expected: storm.filter((t) => expectedInstance[t.org] === instance).length,
      },
    ]),
  );

  // trunkgate's own view: its incidents and the instance it chose for each.
  const ours = (await app.store.listIncidents({ limit: 100_000 })).filter((i) => subjects.has(i.correlationId));
  const storeMisrouted = ours.filter((i) => i.servicenowInstance !== expectedInstance[i.org]).length;
  const rejectedInStore = (await Promise.all(storm.map((t) => app.store.getTrunk(t.trunkId)))).filter(
    (r) => r?.state === 'rejected',
  ).length;

  const latencies = storm.flatMap((t) => {
    const first = report.firstRequestAt[t.subject];
    const at = report.stormAt[t.trunkId];
    return first && at !== undefined ? [first.at - at] : [];
  });

  const genesys = Object.fromEntries(
    Object.entries(report.genesys).map(([org, g]) => {
      const inWindow = g.apiCallsAt.filter((at) => at >= options.window.from && at <= options.window.to).length;
      const max60s = maxInWindow(g.apiCallsAt, 60_000);
      return [
        org,
        {
          apiCallsTotal: g.apiCalls,
          apiCallsDuringStorm: inWindow,
          maxCallsInAny60s: max60s,
          rateLimitPerMinute: options.rateLimitPerMinute,
          rateLimited429: g.rateLimited,
          tokenRequests: g.tokenRequests,
          callsByRoute: g.byRoute,
          withinBudget: max60s <= options.rateLimitPerMinute && g.rateLimited === 0,
        },
      ];
    }),
  );

  const opened = stormRecords.length;
  return {
    trunksFailed: storm.length,
    subjectsThatFailed: subjects.size,
    subjectRule: 'INCIDENT_GROUP_BY=trunk: each failing trunk is its own subject, trunkgate:<org>:trunk:<id>',
    incidentsOpenedInServiceNow: opened,
    incidentsInStore: ours.length,
    duplicateRecords: duplicates,
    recordsOfNoFailedSubject: unexpected,
    incidentsEqualSubjects: opened === subjects.size && ours.length === subjects.size && duplicates === 0 && unexpected === 0,
    misroutedInServiceNow: misrouted,
    misroutedInStore: storeMisrouted,
    perInstance,
    trunksRejectedInStore: rejectedInStore,
    stateChangeToServiceNowRequestMs: ms(latencies),
    deliveredAfterSec: Math.round((options.window.to - options.window.from) / 10) / 100,
    genesysByOrg: genesys,
    genesysWithinBudget: Object.values(genesys).every((g) => g.withinBudget),
  };
}
