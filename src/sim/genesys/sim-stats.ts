/**
 * What the simulator saw, so tests can prove no caller ever hit a problem (or that one did). The
 * simulator keeps one set for everything and one per org: an org's counts what its clients and tokens
 * did (a request with no token, an unknown token or an unknown client belongs to no org).
 */
export interface GenesysSimStats {
  /** `POST /oauth/token` requests, whatever their outcome. */
  tokenRequests: number;
  tokensIssued: number;
  /** Token requests answered with an error (bad credentials, bad request, injected fault). */
  tokenFailures: number;
  /** Every request under `/api/v2`. */
  apiCalls: number;
  /** `/api/v2` requests answered 2xx. */
  apiSuccesses: number;
  callsWithoutToken: number;
  callsWithExpiredToken: number;
  callsWithUnpropagatedToken: number;
  callsWithUnknownToken: number;
  callsWithRevokedToken: number;
  /** 429s sent by the API (per-token limit and storms). */
  rateLimited: number;
  /** 5xx sent by the API (injected outages and errors). */
  apiFaults: number;
  /** `/api/v2` requests per route, e.g. `GET /api/v2/telephony/providers/edges/trunks/{trunkId}`. */
  byRoute: Record<string, number>;
  /** `/api/v2` responses per status code. */
  byStatus: Record<string, number>;
  /** Notifications API channels created, and removed because a client made one too many. */
  channelsCreated: number;
  channelsEvicted: number;
  /** Websocket connections accepted on `/channels/{id}`. */
  socketConnections: number;
  /** Topic events (trunk changes) delivered to sockets, and heartbeats sent. */
  notificationsSent: number;
  heartbeatsSent: number;
}

export function emptyStats(): GenesysSimStats {
  return {
    tokenRequests: 0,
    tokensIssued: 0,
    tokenFailures: 0,
    apiCalls: 0,
    apiSuccesses: 0,
    callsWithoutToken: 0,
    callsWithExpiredToken: 0,
    callsWithUnpropagatedToken: 0,
    callsWithUnknownToken: 0,
    callsWithRevokedToken: 0,
    rateLimited: 0,
    apiFaults: 0,
    byRoute: {},
    byStatus: {},
    channelsCreated: 0,
    channelsEvicted: 0,
    socketConnections: 0,
    notificationsSent: 0,
    heartbeatsSent: 0,
  };
}

/** The plain counters (every field but the per-route and per-status maps). */
export type CounterField = { [K in keyof GenesysSimStats]: GenesysSimStats[K] extends number ? K : never }[keyof GenesysSimStats];

/** Zeroes a set of counters in place (holders keep their reference). */
export function zeroStats(stats: GenesysSimStats): void {
  Object.assign(stats, emptyStats());
}

export function countInto(map: Record<string, number>, key: string): void {
  map[key] = (map[key] ?? 0) + 1;
}
