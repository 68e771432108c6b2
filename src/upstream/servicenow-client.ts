import type { AxiosInstance, AxiosResponse } from 'axios';
import type { UpstreamCredentials } from '../credentials/upstream-credentials.js';
import { AppError, UpstreamError } from '../errors/app-error.js';
import { authorizedSend } from './authorized-send.js';
import { errorFromNetwork, errorFromResponse } from './upstream-errors.js';

/** A ServiceNow record as the Table API returns it (string fields; references flattened by sysparm_exclude_reference_link). */
export type ServiceNowRecord = Record<string, unknown> & { sys_id?: string; number?: string; state?: string };

/** What trunkgate asks of ServiceNow's incident table. The relay and the actions use this, never axios. */
export interface ServiceNowIncidents {
  /** POST /api/now/table/incident → the created record. */
  create(fields: Record<string, unknown>, signal?: AbortSignal): Promise<ServiceNowRecord>;
  /** PATCH /api/now/table/incident/{sys_id} → the updated record. */
  update(sysId: string, fields: Record<string, unknown>, signal?: AbortSignal): Promise<ServiceNowRecord>;
  /**
   * GET /api/now/table/incident with `sysparm_query` and `sysparm_limit`. ServiceNow ignores an unknown
   * field in a query and then matches every row (FACTS.md), so callers check what came back.
   */
  query(encodedQuery: string, options?: { limit?: number; fields?: string[]; signal?: AbortSignal }): Promise<ServiceNowRecord[]>;
}

const INCIDENT_PATH = '/api/now/table/incident';

/** ServiceNow Table API calls with brokered (or Basic) credentials. Errors are trunkgate's (BRIEF §3.3). */
export class ServiceNowClient implements ServiceNowIncidents {
  constructor(private readonly http: AxiosInstance, private readonly credentials: UpstreamCredentials) {}

  async create(fields: Record<string, unknown>, signal?: AbortSignal): Promise<ServiceNowRecord> {
    const res = await this.send('POST incident', { method: 'POST', url: INCIDENT_PATH, params: { sysparm_exclude_reference_link: 'true' }, data: fields, signal });
    return resultRecord(res, 'POST incident');
  }

  async update(sysId: string, fields: Record<string, unknown>, signal?: AbortSignal): Promise<ServiceNowRecord> {
    const res = await this.send('PATCH incident', { method: 'PATCH', url: `${INCIDENT_PATH}/${encodeURIComponent(sysId)}`, params: { sysparm_exclude_reference_link: 'true' }, data: fields, signal });
    return resultRecord(res, 'PATCH incident');
  }

  async query(encodedQuery: string, options: { limit?: number; fields?: string[]; signal?: AbortSignal } = {}): Promise<ServiceNowRecord[]> {
    const params: Record<string, string> = { sysparm_query: encodedQuery, sysparm_limit: String(options.limit ?? 1), sysparm_exclude_reference_link: 'true' };
    if (options.fields) params.sysparm_fields = options.fields.join(',');
    const res = await this.send('GET incident', { method: 'GET', url: INCIDENT_PATH, params, signal: options.signal });
    const result = (res.data as { result?: unknown })?.result;
    if (!Array.isArray(result)) throw new UpstreamError('ServiceNow answered GET incident without a result list', { upstream: 'servicenow', operation: 'GET incident', status: res.status });
    return result as ServiceNowRecord[];
  }

  private async send(operation: string, request: { method: string; url: string; params?: Record<string, string>; data?: unknown; signal?: AbortSignal }): Promise<AxiosResponse> {
    let res: AxiosResponse;
    try {
      res = await authorizedSend(this.credentials, operation, (authorization) =>
        this.http.request({ ...request, headers: { Authorization: authorization, ...(request.data === undefined ? {} : { 'Content-Type': 'application/json' }) } }),
      );
    } catch (err) {
      if (err instanceof AppError) throw err;
      throw errorFromNetwork('servicenow', operation, err);
    }
    if (res.status >= 200 && res.status < 300) return res;
    throw errorFromResponse('servicenow', operation, res);
  }
}

function resultRecord(res: AxiosResponse, operation: string): ServiceNowRecord {
  const result = (res.data as { result?: unknown })?.result;
  if (typeof result !== 'object' || result === null || Array.isArray(result)) {
    throw new UpstreamError(`ServiceNow answered ${operation} without a record`, { upstream: 'servicenow', operation, status: res.status });
  }
  return result as ServiceNowRecord;
}
