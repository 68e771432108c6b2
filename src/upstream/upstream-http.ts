import http from 'node:http';
import https from 'node:https';
import axios, { type AxiosInstance, type InternalAxiosRequestConfig } from 'axios';
import { VERSION } from '../meta/version.js';

export const USER_AGENT = `trunkgate/${VERSION}`;

/**
 * One bounded axios instance per upstream host: base URL checked once, timeout, no redirects,
 * explicit Accept/User-Agent, keep-alive sockets, and every status handed back to the caller
 * (classification is the caller's job, so no status ever throws).
 */
export function createUpstreamHttp(options: { baseURL: string; timeoutMs: number; maxSockets?: number }): AxiosInstance {
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
    if (axios.isAxiosError(err) && err.code === 'ECONNRESET' && (err.request as { reusedSocket?: boolean } | undefined)?.reusedSocket && err.config) {
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

/** True for errors where the request never reached the upstream or got no answer (refused, reset, timeout, DNS). */
export function isNetworkError(err: unknown): err is Error & { code?: string } {
  return axios.isAxiosError(err) && err.response === undefined;
}

/** A short, redacted description of a network error: its code, never the request config. */
export function networkErrorText(err: unknown): string {
  if (axios.isAxiosError(err)) return err.code === 'ETIMEDOUT' || err.code === 'ECONNABORTED' ? 'timed out' : (err.code ?? 'network error');
  return err instanceof Error ? err.message : String(err);
}
