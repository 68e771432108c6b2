/** What the simulator has seen since start or the last resetStats(); control requests are not counted. */
export interface ServiceNowSimStats {
  /** Requests to the instance (token endpoint and /api/now), including refused and failed ones. */
  requests: number;
  requestsByMethod: Record<string, number>;
  tokenRequests: number;
  /** Distinct access tokens minted (a token handed out again is not counted). */
  tokensIssued: number;
  /** Token requests answered with an error (bad credentials, injected faults). */
  tokenFailures: number;
  /** /api/now requests answered 401. */
  authFailures: number;
  incidentsCreated: number;
  incidentsUpdated: number;
  incidentsDeleted: number;
  journalEntries: number;
  /** Answers 429, from the per-user rule or a storm. */
  rateLimited: number;
  /** Requests answered 503 by an injected outage (requests during a 'refused' outage never arrive). */
  requestsDuringOutage: number;
  /** Requests held back by a 'slow' outage. */
  slowedRequests: number;
  /** Simulator-clock time (epoch ms) at which each incident create request arrived. */
  createRequestTimes: number[];
}

export function emptyStats(): ServiceNowSimStats {
  return {
    requests: 0,
    requestsByMethod: {},
    tokenRequests: 0,
    tokensIssued: 0,
    tokenFailures: 0,
    authFailures: 0,
    incidentsCreated: 0,
    incidentsUpdated: 0,
    incidentsDeleted: 0,
    journalEntries: 0,
    rateLimited: 0,
    requestsDuringOutage: 0,
    slowedRequests: 0,
    createRequestTimes: [],
  };
}

export function copyStats(stats: ServiceNowSimStats): ServiceNowSimStats {
  return { ...stats, requestsByMethod: { ...stats.requestsByMethod }, createRequestTimes: [...stats.createRequestTimes] };
}
