import { AxiosError, type AxiosInstance, type AxiosRequestConfig, type AxiosResponse } from 'axios';
import type { Authorization, UpstreamCredentials, UpstreamName } from '../../src/credentials/upstream-credentials.js';
import type { CallOptions, UpstreamApi, UpstreamReply, UpstreamRequest } from '../../src/upstream/upstream-api.js';

/** One scripted answer of a fake upstream host: a status (and headers/body), or a network failure code. */
export type Scripted =
  { status: number; headers?: Record<string, string>; data?: unknown } | { fail: 'ECONNREFUSED' | 'ECONNRESET' | 'ETIMEDOUT' };

/** An axios stand-in answering from a script, recording every request it was asked to send. */
export function scriptedHttp(script: Scripted[]): { http: AxiosInstance; requests: AxiosRequestConfig[] } {
  const requests: AxiosRequestConfig[] = [];
  const http = {
    request: async (config: AxiosRequestConfig): Promise<AxiosResponse> => {
      requests.push(config);
      const next = script.shift();
      if (!next) throw new Error('script exhausted');
      if ('fail' in next) throw new AxiosError(`simulated ${next.fail}`, next.fail, config as never);
      return { status: next.status, statusText: '', headers: next.headers ?? {}, data: next.data ?? {}, config: config as never };
    },
  } as unknown as AxiosInstance;
  return { http, requests };
}

/** Credentials that always hand out the same header and never help after a refusal. */
export const staticCredentials: UpstreamCredentials = {
  upstream: 'servicenow',
  authorize: async (): Promise<Authorization> => ({ header: 'Bearer test' }),
  refused: async () => undefined,
  accepted: () => undefined,
  snapshot: () => ({}) as never,
  ready: async () => ({ ok: true }),
  start: () => undefined,
  stop: () => undefined,
  on() {
    return this;
  },
};

/** A fake UpstreamApi for mapping tests: answers by handler, records requests and options. */
export class FakeUpstreamApi implements UpstreamApi {
  readonly calls: Array<{ request: UpstreamRequest; options?: CallOptions }> = [];

  constructor(
    readonly upstream: UpstreamName,
    private readonly handler: (request: UpstreamRequest, n: number) => unknown | Promise<unknown>,
  ) {}

  async send(request: UpstreamRequest, options?: CallOptions): Promise<UpstreamReply> {
    this.calls.push({ request, options });
    return { status: 200, body: await this.handler(request, this.calls.length) };
  }
}
