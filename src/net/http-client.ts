import http from 'node:http';
import https from 'node:https';
import axios, { type AxiosInstance, type InternalAxiosRequestConfig } from 'axios';
import { VERSION } from '../meta/version.js';

/** What every outbound request and websocket of trunkgate sends as its User-Agent. */
export const USER_AGENT = `trunkgate/${VERSION}`;

/** An axios instance made by `createHttpClient`: it hands back every status and never follows a redirect. */
export type HttpClient = AxiosInstance;

/**
 * One bounded axios instance per upstream host: base URL checked once, timeout, no redirects,
 * explicit Accept/User-Agent, keep-alive sockets, and every status handed back to the caller
 * (classification is the caller's job, so no status ever throws).
 */
export function createHttpClient(options: { baseURL: string; timeoutMs: number; maxSockets?: number }): HttpClient {
  const base = new URL(options.baseURL);
  if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new Error(`upstream URL must be http(s): ${base.origin}`);
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 64, scheduling: 'lifo' as const };
  const instance = axios.create({
    baseURL: options.baseURL.replace(/\/+$/, ''),
    timeout: options.timeoutMs,
    maxRedirects: 0,
    headers: { Accept: 'application/json', 'User-Agent': USER_AGENT },
    httpAgent: new http.Agent(agentOptions),
    httpsAgent: new https.Agent(agentOptions),
    validateStatus: () => true,
    // Upstream error bodies can be large HTML pages; we keep a truncated copy as evidence only.
    maxContentLength: 5 * 1024 * 1024,
    transitional: { clarifyTimeoutError: true },
  });
  instance.interceptors.response.use(undefined, (err: unknown) => {
    // A keep-alive socket the server closed while idle fails the next request with ECONNRESET before
    // the server read it. Node's docs: retry when `reusedSocket` — safe for any method, done once.
    if (
      axios.isAxiosError(err) &&
      err.code === 'ECONNRESET' &&
      (err.request as { reusedSocket?: boolean } | undefined)?.reusedSocket &&
      err.config
    ) {
      const config = err.config as InternalAxiosRequestConfig & { resetRetried?: boolean };
      if (!config.resetRetried) {
        config.resetRetried = true;
        return instance.request(config);
      }
    }
    return Promise.reject(err);
  });
  return instance;
}

/** Closes a client's keep-alive sockets (a short-lived client, such as the doctor's, is done with them). */
export function closeHttpClient(client: HttpClient): void {
  for (const agent of [client.defaults.httpAgent, client.defaults.httpsAgent]) (agent as { destroy?: () => void } | undefined)?.destroy?.();
}
