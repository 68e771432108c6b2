import type { AxiosInstance, AxiosResponse } from 'axios';
import type { UpstreamCredentials } from '../credentials/upstream-credentials.js';
import { AppError } from '../errors/app-error.js';
import { authorizedSend } from './authorized-send.js';
import { errorFromNetwork, errorFromResponse } from './upstream-errors.js';

/** Genesys Cloud Platform API calls trunkgate makes, with brokered credentials. Returns wire bodies. */
export class GenesysClient {
  constructor(private readonly http: AxiosInstance, private readonly credentials: UpstreamCredentials) {}

  /** GET /api/v2/telephony/providers/edges/trunks/{trunkId} → the Trunk body. */
  getTrunk(trunkId: string, signal?: AbortSignal): Promise<Record<string, unknown>> {
    return this.get(`/api/v2/telephony/providers/edges/trunks/${encodeURIComponent(trunkId)}`, 'GET trunk', signal);
  }

  /** GET /api/v2/telephony/providers/edges/trunks (one page of EXTERNAL trunks). */
  listTrunks(page: { pageNumber: number; pageSize: number }, signal?: AbortSignal): Promise<Record<string, unknown>> {
    const query = new URLSearchParams({ trunkType: 'EXTERNAL', pageNumber: String(page.pageNumber), pageSize: String(page.pageSize) });
    return this.get(`/api/v2/telephony/providers/edges/trunks?${query}`, 'GET trunks', signal);
  }

  private async get(path: string, operation: string, signal?: AbortSignal): Promise<Record<string, unknown>> {
    let res: AxiosResponse<Record<string, unknown>>;
    try {
      res = await authorizedSend(this.credentials, operation, (authorization) => this.http.get(path, { headers: { Authorization: authorization }, signal }));
    } catch (err) {
      if (err instanceof AppError) throw err;
      throw errorFromNetwork('genesys', operation, err);
    }
    if (res.status >= 200 && res.status < 300) return res.data;
    if (res.status === 403) {
      throw errorFromResponse('genesys', operation, res, `Genesys refused ${operation} with 403 although the token is valid: the OAuth client's role lacks a permission for it`);
    }
    throw errorFromResponse('genesys', operation, res);
  }
}
