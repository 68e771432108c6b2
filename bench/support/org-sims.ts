// The simulators of `npm run bench -- orgs` in their own process (serve-org-sims.ts), and what the
// benchmark asks of them.
import { startChild, type Child } from './child.js';

export type OrgSimsRequest =
  | { op: 'set'; trunkId: string; state: 'registered' | 'rejected' }
  | { op: 'storm'; plan: Array<{ trunkId: string; offsetMs: number }> }
  | { op: 'report' };

export interface OrgSimsReport {
  /** Storm trunk id → when the simulator set it rejected (epoch ms). */
  stormAt: Record<string, number>;
  /** Correlation id → the first ServiceNow request naming it (epoch ms) and the instance it reached. */
  firstRequestAt: Record<string, { at: number; instance: string }>;
  /** Instance → the correlation ids of its incident records. */
  incidentsByInstance: Record<string, string[]>;
  /** Org → its Genesys counters and the arrival time of each /api/v2 call. */
  genesys: Record<
    string,
    { apiCalls: number; rateLimited: number; tokenRequests: number; byRoute: Record<string, number>; apiCallsAt: number[] }
  >;
}

export interface OrgSims {
  genesysUrl: string;
  servicenowUrls: Record<string, string>;
  /** Sets one trunk's state; resolves with when the simulator applied it (epoch ms). */
  set(trunkId: string, state: 'registered' | 'rejected'): Promise<number>;
  /** Rejects each trunk at its offset (ms from now); resolves once all are applied. */
  storm(plan: Array<{ trunkId: string; offsetMs: number }>): Promise<void>;
  report(): Promise<OrgSimsReport>;
  memory(): { rssBytes: number; peakRssBytes: number };
  /** CPU time the simulators' process used so far (ms). */
  cpuMs(): number;
  stop(): Promise<void>;
}

/** Epoch ms with sub-ms precision, comparable with the simulators' process. */
export const epochNow = () => performance.timeOrigin + performance.now();

export async function startOrgSims(options: {
  orgs: string[];
  instances: string[];
  trunksPerOrg: number;
  rateLimitPerMinute: number;
}): Promise<OrgSims> {
  const child: Child<{ genesys: string; servicenow: Record<string, string> }> = await startChild('bench/support/serve-org-sims.ts', {
    BENCH_ORG_SIMS: JSON.stringify(options),
  });
  // One request at a time: the child answers in order, and `request` takes the next message.
  let queue: Promise<unknown> = Promise.resolve();
  const ask = <T>(m: OrgSimsRequest): Promise<T> => {
    const answer = queue.then(() => child.request(m)) as Promise<T>;
    queue = answer.catch(() => undefined);
    return answer;
  };
  return {
    genesysUrl: child.info.genesys,
    servicenowUrls: child.info.servicenow,
    set: async (trunkId, state) => (await ask<{ at: number }>({ op: 'set', trunkId, state })).at,
    storm: async (plan) => void (await ask({ op: 'storm', plan })),
    report: () => ask<OrgSimsReport>({ op: 'report' }),
    memory: () => child.memory(),
    cpuMs: () => child.cpuMs(),
    stop: () => child.stop(),
  };
}
