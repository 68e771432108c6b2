import type { AxiosInstance } from 'axios';
import type { UpstreamCredentials } from '../credentials/upstream-credentials.js';
import { UpstreamError } from '../errors/app-error.js';
import type { Logger } from '../log/logger.js';
import type { Clock } from '../time/clock.js';
import type { CallOptions, UpstreamApi, UpstreamReply, UpstreamRequest } from './upstream-api.js';
import { UpstreamCaller } from './upstream-caller.js';
import type { UpstreamMetrics } from './upstream-metrics.js';
import { forbiddenMessage, permissionRefusalOf } from './genesys-permissions.js';
import type { UpstreamPacer } from './upstream-pacer.js';

export interface GenesysClientOptions {
  /** The upstream's one pacer (createUpstreams builds it): a client with a pacer of its own would spend the budget twice. */
  pacer: UpstreamPacer;
  clock: Clock;
  /** Deadline of a call made without one (ACTION_TIMEOUT_MS). */
  defaultTimeoutMs: number;
  /** Waits after a 5xx or a refused connection; default GENESYS_BACKOFF_MS. */
  backoffMs?: readonly number[];
  metrics?: UpstreamMetrics;
  /** With a connections file: the org's or instance's name, which labels its metrics. */
  connection?: string;
  logger?: Logger;
}

/** The Genesys Java SDK's waits on 5xx (docs/genesys-cloud.md, 'Rate limits'); each is still cut short by the action's deadline. */
export const GENESYS_BACKOFF_MS = [3_000, 9_000, 27_000] as const;

/** Genesys Cloud Platform API calls trunkgate makes, with brokered credentials, paced and retried. Returns wire bodies. */
export class GenesysClient implements UpstreamApi {
  readonly upstream = 'genesys' as const;
  private readonly caller: UpstreamCaller;

  constructor(http: AxiosInstance, credentials: UpstreamCredentials, options: GenesysClientOptions) {
    this.caller = new UpstreamCaller({
      upstream: 'genesys',
      http,
      credentials,
      pacer: options.pacer,
      clock: options.clock,
      defaultTimeoutMs: options.defaultTimeoutMs,
      backoffMs: options.backoffMs ?? GENESYS_BACKOFF_MS,
      metrics: options.metrics,
      connection: options.connection,
      logger: options.logger,
      forbidden: (operation, body) => {
        const refusal = permissionRefusalOf(body);
        return {
          message: forbiddenMessage(operation, refusal),
          evidence: { missingPermissions: refusal.permissions, ...(refusal.code === undefined ? {} : { permissionCode: refusal.code }) },
        };
      },
    });
  }

  send(request: UpstreamRequest, options?: CallOptions): Promise<UpstreamReply> {
    return this.caller.send(request, options);
  }

  /** GET /api/v2/telephony/providers/edges/trunks/{trunkId} → the Trunk body. */
  getTrunk(trunkId: string, signal?: AbortSignal, options: CallOptions = {}): Promise<Record<string, unknown>> {
    return this.get(`/api/v2/telephony/providers/edges/trunks/${encodeURIComponent(trunkId)}`, undefined, 'GET trunk', {
      signal,
      ...options,
    });
  }

  /** GET /api/v2/telephony/providers/edges/trunks (one page of EXTERNAL trunks). */
  listTrunks(
    page: { pageNumber: number; pageSize: number },
    signal?: AbortSignal,
    options: CallOptions = {},
  ): Promise<Record<string, unknown>> {
    const query = new URLSearchParams({ trunkType: 'EXTERNAL', pageNumber: String(page.pageNumber), pageSize: String(page.pageSize) });
    return this.get('/api/v2/telephony/providers/edges/trunks', query, 'GET trunks', { signal, ...options });
  }

  private async get(
    path: string,
    query: URLSearchParams | undefined,
    operation: string,
    options: CallOptions,
  ): Promise<Record<string, unknown>> {
    const reply = await this.send({ operation, method: 'GET', path, query }, options);
    if (typeof reply.body !== 'object' || reply.body === null || Array.isArray(reply.body)) {
      throw new UpstreamError(`Genesys answered ${operation} without a JSON object`, {
        upstream: 'genesys',
        operation,
        status: reply.status,
      });
    }
    return reply.body as Record<string, unknown>;
  }
}
