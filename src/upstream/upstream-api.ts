import type { UpstreamName } from '../credentials/upstream-credentials.js';
import type { Deadline } from '../net/deadline.js';

/** One request to an upstream, as a mapping step or a client method describes it. */
export interface UpstreamRequest {
  /** Names the call in errors, logs and metrics (a bounded set, e.g. `get-incident.incident`). */
  operation: string;
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Absolute path below the upstream's base URL, already escaped. */
  path: string;
  query?: URLSearchParams;
  /** A JSON body, built as data (never as text). */
  body?: unknown;
}

/** How long a call may take and whether it may be repeated. */
export interface CallOptions {
  /** The whole call, retries included, ends here; default: `timeoutMs` from now. */
  deadline?: Deadline;
  /** Used when no deadline is given; default: the client's (ACTION_TIMEOUT_MS). */
  timeoutMs?: number;
  /** Aborts the call when the caller goes away (used when no deadline is given). */
  signal?: AbortSignal;
  /** May the request be sent again after an answer was lost? Default: GET/PUT/DELETE yes, POST/PATCH no. */
  idempotent?: boolean;
  /** Cap on one attempt, to leave time for a confirmation lookup after a lost answer. */
  attemptTimeoutMs?: number;
}

/** A 2xx answer: its status and parsed JSON body (undefined when empty). */
export interface UpstreamReply {
  status: number;
  body: unknown;
}

/** A paced, retrying, credentialed upstream; both clients implement it and mapping steps use it. */
export interface UpstreamApi {
  readonly upstream: UpstreamName;
  /** Sends the request; non-2xx answers and failures are thrown as trunkgate errors. */
  send(request: UpstreamRequest, options?: CallOptions): Promise<UpstreamReply>;
}

export function idempotentByDefault(method: UpstreamRequest['method']): boolean {
  return method === 'GET' || method === 'HEAD' || method === 'PUT' || method === 'DELETE';
}
