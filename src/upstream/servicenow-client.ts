import type { AxiosInstance } from 'axios';
import type { UpstreamCredentials } from '../credentials/upstream-credentials.js';
import { UpstreamError } from '../errors/app-error.js';
import type { Logger } from '../log/logger.js';
import type { Clock } from '../time/clock.js';
import type { CallOptions, UpstreamApi, UpstreamReply, UpstreamRequest } from './upstream-api.js';
import { UpstreamCaller } from './upstream-caller.js';
import type { UpstreamMetrics } from './upstream-metrics.js';
import type { UpstreamPacer } from './upstream-pacer.js';

/** A ServiceNow record as the Table API returns it (string fields; references flattened by sysparm_exclude_reference_link). */
export type ServiceNowRecord = Record<string, unknown> & { sys_id?: string; number?: string; state?: string };

/** What trunkgate asks of ServiceNow's incident table. The relay and the actions use this, never axios. */
export interface ServiceNowIncidents {
  /** POST /api/now/table/incident → the created record. Not repeated after a lost answer unless `options.idempotent`. */
  create(fields: Record<string, unknown>, signal?: AbortSignal, options?: CallOptions): Promise<ServiceNowRecord>;
  /**
   * PATCH /api/now/table/incident/{sys_id} → the updated record. Repeated after a lost answer only
   * when it carries no `work_notes`/`comments` (those append a journal entry each time).
   */
  update(sysId: string, fields: Record<string, unknown>, signal?: AbortSignal, options?: CallOptions): Promise<ServiceNowRecord>;
  /**
   * GET /api/now/table/incident with `sysparm_query` and `sysparm_limit`. ServiceNow ignores an unknown
   * field in a query and then matches every row (docs/servicenow.md, 'Encoded queries'), so callers check what came back.
   */
  query(
    encodedQuery: string,
    options?: { limit?: number; fields?: string[]; signal?: AbortSignal } & CallOptions,
  ): Promise<ServiceNowRecord[]>;
  /**
   * Whether the incident's work notes hold an entry containing `text`: GET /api/now/table/sys_journal_field
   * (one row per journal entry: `element_id` the record's sys_id, `element` the field, `value` the text;
   * docs/servicenow.md, 'Journal entries'). Every row that comes back is checked, so a query part the
   * instance ignores can only make it answer false.
   */
  workNotesContain(sysId: string, text: string, options?: { signal?: AbortSignal } & CallOptions): Promise<boolean>;
}

const INCIDENT_PATH = '/api/now/table/incident';
const JOURNAL_PATH = '/api/now/table/sys_journal_field';

/** An encoded-query value: `^` separates terms, so a literal one is doubled (docs/servicenow.md, 'Encoded queries'). */
export function encodedQueryValue(value: string): string {
  return value.replace(/\^/g, '^^');
}

export interface ServiceNowClientOptions {
  /** The upstream's one pacer (createUpstreams builds it): a client with a pacer of its own would spend the budget twice. */
  pacer: UpstreamPacer;
  clock: Clock;
  /** Deadline of a call made without one (ACTION_TIMEOUT_MS). */
  defaultTimeoutMs: number;
  /** Waits between attempts after a 503, a refused connection, or (idempotent calls) a 502/504; default SERVICENOW_BACKOFF_MS. */
  backoffMs?: readonly number[];
  metrics?: UpstreamMetrics;
  /** With a connections file: the org's or instance's name, which labels its metrics. */
  connection?: string;
  logger?: Logger;
}

/** ServiceNow waits are short: its 503s are maintenance or node restarts, and callers have seconds. */
export const SERVICENOW_BACKOFF_MS = [500, 1_500, 4_500] as const;

/** ServiceNow Table API calls with brokered (or Basic) credentials, paced and retried. Errors are trunkgate's (docs/design.md, 'Error contract'). */
export class ServiceNowClient implements ServiceNowIncidents, UpstreamApi {
  readonly upstream = 'servicenow' as const;
  private readonly caller: UpstreamCaller;

  constructor(http: AxiosInstance, credentials: UpstreamCredentials, options: ServiceNowClientOptions) {
    this.caller = new UpstreamCaller({
      upstream: 'servicenow',
      http,
      credentials,
      pacer: options.pacer,
      clock: options.clock,
      defaultTimeoutMs: options.defaultTimeoutMs,
      backoffMs: options.backoffMs ?? SERVICENOW_BACKOFF_MS,
      metrics: options.metrics,
      connection: options.connection,
      logger: options.logger,
    });
  }

  send(request: UpstreamRequest, options?: CallOptions): Promise<UpstreamReply> {
    return this.caller.send(request, options);
  }

  async create(fields: Record<string, unknown>, signal?: AbortSignal, options: CallOptions = {}): Promise<ServiceNowRecord> {
    const reply = await this.send(
      { operation: 'POST incident', method: 'POST', path: INCIDENT_PATH, query: excludeLinks(), body: fields },
      { signal, ...options },
    );
    return resultRecord(reply, 'POST incident');
  }

  async update(sysId: string, fields: Record<string, unknown>, signal?: AbortSignal, options: CallOptions = {}): Promise<ServiceNowRecord> {
    const appends = 'work_notes' in fields || 'comments' in fields;
    const reply = await this.send(
      {
        operation: 'PATCH incident',
        method: 'PATCH',
        path: `${INCIDENT_PATH}/${encodeURIComponent(sysId)}`,
        query: excludeLinks(),
        body: fields,
      },
      { signal, idempotent: !appends, ...options },
    );
    return resultRecord(reply, 'PATCH incident');
  }

  async query(
    encodedQuery: string,
    options: { limit?: number; fields?: string[]; signal?: AbortSignal } & CallOptions = {},
  ): Promise<ServiceNowRecord[]> {
    const { limit, fields, ...call } = options;
    const query = new URLSearchParams({
      sysparm_query: encodedQuery,
      sysparm_limit: String(limit ?? 1),
      sysparm_exclude_reference_link: 'true',
    });
    if (fields) query.set('sysparm_fields', fields.join(','));
    const reply = await this.send({ operation: 'GET incident', method: 'GET', path: INCIDENT_PATH, query }, call);
    const result = (reply.body as { result?: unknown } | undefined)?.result;
    if (!Array.isArray(result))
      throw new UpstreamError('ServiceNow answered GET incident without a result list', {
        upstream: 'servicenow',
        operation: 'GET incident',
        status: reply.status,
      });
    return result as ServiceNowRecord[];
  }

  async workNotesContain(sysId: string, text: string, options: { signal?: AbortSignal } & CallOptions = {}): Promise<boolean> {
    const q = `element_id=${encodedQueryValue(sysId)}^element=work_notes^valueLIKE${encodedQueryValue(text)}`;
    const query = new URLSearchParams({ sysparm_query: q, sysparm_limit: '1', sysparm_fields: 'element_id,element,value' });
    const reply = await this.send({ operation: 'GET journal', method: 'GET', path: JOURNAL_PATH, query }, options);
    const result = (reply.body as { result?: unknown } | undefined)?.result;
    if (!Array.isArray(result))
      throw new UpstreamError('ServiceNow answered GET journal without a result list', {
        upstream: 'servicenow',
        operation: 'GET journal',
        status: reply.status,
      });
    return (result as ServiceNowRecord[]).some(
      (r) => r.element_id === sysId && r.element === 'work_notes' && typeof r.value === 'string' && r.value.includes(text),
    );
  }
}

function excludeLinks(): URLSearchParams {
  return new URLSearchParams({ sysparm_exclude_reference_link: 'true' });
}

function resultRecord(reply: UpstreamReply, operation: string): ServiceNowRecord {
  const result = (reply.body as { result?: unknown } | undefined)?.result;
  if (typeof result !== 'object' || result === null || Array.isArray(result)) {
    throw new UpstreamError(`ServiceNow answered ${operation} without a record`, {
      upstream: 'servicenow',
      operation,
      status: reply.status,
    });
  }
  return result as ServiceNowRecord;
}
