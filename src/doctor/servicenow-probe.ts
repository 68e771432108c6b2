import type { AxiosInstance } from 'axios';
import type { Config } from '../config/config.js';
import { ServiceNowTokenIssuer } from '../credentials/token-issuers.js';
import type { TokenGrant } from '../credentials/token-types.js';
import { BasicCredentials, type UpstreamCredentials } from '../credentials/upstream-credentials.js';
import type { Logger } from '../log/logger.js';
import { systemClock, type Clock } from '../time/clock.js';
import { upstreamStatusOf } from '../upstream/genesys-notifications-client.js';
import { ServiceNowClient, type ServiceNowRecord } from '../upstream/servicenow-client.js';
import { closeHttpClient, createHttpClient } from '../net/http-client.js';
import { isNetworkError, networkErrorText } from '../net/network-error.js';
import { NotChecked } from './check.js';
import { CALL_TIMEOUT_MS, DOCTOR_BACKOFF_MS, FixedCredentials, once, RecordingPacer } from './probe-parts.js';

/** The unauthenticated first call: any answer proves the instance reachable. */
export type InstanceOutcome = { status: number; isServiceNow: boolean; tookMs: number } | { error: string; tookMs: number };

/** The configured credentials, ready to use, or why they could not be had (an OAuth grant refused). */
export type CredentialsOutcome = { credentials: UpstreamCredentials; grant?: TokenGrant } | { error: unknown };

/**
 * The ServiceNow calls the doctor makes, each made once and shared by the checks that judge it: the
 * instance's first answer, the OAuth grant (ServiceNowTokenIssuer, as the broker asks), and Table API
 * reads and writes through ServiceNowClient (as the outbox relay and the actions call).
 */
export class ServiceNowProbe {
  readonly pacer = new RecordingPacer();
  readonly instance: () => Promise<InstanceOutcome>;
  readonly credentials: () => Promise<CredentialsOutcome>;
  private readonly http: AxiosInstance;
  private client?: ServiceNowClient;
  private read?: Promise<ServiceNowRecord[]>;
  private obtained?: TokenGrant;

  constructor(
    readonly config: Config,
    private readonly logger: Logger,
    private readonly clock: Clock = systemClock,
  ) {
    this.http = createHttpClient({ baseURL: config.servicenow.instanceUrl, timeoutMs: CALL_TIMEOUT_MS, maxSockets: 4 });
    this.instance = once(async () => {
      const started = performance.now();
      try {
        const res = await this.http.get('/api/now/table/incident', { params: { sysparm_limit: '1' } });
        // An instance tells whether the caller is logged in on every Table API answer.
        const isServiceNow =
          res.headers['x-is-logged-in'] !== undefined || (res.status === 401 && /not authenticated/i.test(JSON.stringify(res.data ?? '')));
        return { status: res.status, isServiceNow, tookMs: performance.now() - started };
      } catch (err) {
        return { error: isNetworkError(err) ? networkErrorText(err) : (err as Error).message, tookMs: performance.now() - started };
      }
    });
    this.credentials = once(async () => {
      const auth = config.servicenow.auth;
      if (auth.kind === 'basic') return { credentials: new BasicCredentials(auth.username, auth.password) };
      try {
        const grant = await new ServiceNowTokenIssuer(this.http, auth, this.clock).requestToken();
        this.obtained = grant;
        return { credentials: new FixedCredentials('servicenow', `Bearer ${grant.accessToken}`), grant };
      } catch (error) {
        return { error };
      }
    });
  }

  /** The OAuth grant, once obtained (its tokens must never reach the report). */
  settledGrant(): TokenGrant | undefined {
    return this.obtained;
  }

  /** Who the calls act as, in words: "the user trunkgate.integration", "the OAuth client's application user". */
  actor(): string {
    const auth = this.config.servicenow.auth;
    return auth.kind === 'oauth-client-credentials' ? `the OAuth Application User of client ${auth.clientId}` : `the user ${auth.username}`;
  }

  /** Checks after the first one need a reachable, available instance. */
  async requireInstance(): Promise<void> {
    const outcome = await this.instance();
    if ('error' in outcome) throw new NotChecked('servicenow-instance', 'the instance cannot be reached');
    if (outcome.status === 503) throw new NotChecked('servicenow-instance', 'the instance is unavailable (503)');
  }

  async api(): Promise<ServiceNowClient> {
    await this.requireInstance();
    const outcome = await this.credentials();
    if ('error' in outcome) throw new NotChecked('servicenow-auth', 'no ServiceNow token (the OAuth grant failed)');
    this.client ??= new ServiceNowClient(this.http, outcome.credentials, {
      pacer: this.pacer,
      clock: this.clock,
      defaultTimeoutMs: CALL_TIMEOUT_MS,
      backoffMs: DOCTOR_BACKOFF_MS,
      logger: this.logger,
    });
    return this.client;
  }

  /** GET /api/now/table/incident?sysparm_limit=1, newest first: what every delivery's lookup does. */
  incidentRead(signal: AbortSignal): Promise<ServiceNowRecord[]> {
    this.read ??= this.api().then((api) => api.query('ORDERBYDESCsys_created_on', { limit: 1, fields: ['number', 'sys_id'], signal }));
    return this.read;
  }

  /** The read, or NotChecked when the credentials were refused (servicenow-auth says so). */
  async incidentReadOrSkip(signal: AbortSignal): Promise<ServiceNowRecord[]> {
    try {
      return await this.incidentRead(signal);
    } catch (err) {
      if (err instanceof NotChecked) throw err;
      if (upstreamStatusOf(err) === 401) throw new NotChecked('servicenow-auth', 'ServiceNow refused the credentials');
      throw new NotChecked('servicenow-incident-read', 'the incident table could not be read');
    }
  }

  close(): void {
    closeHttpClient(this.http);
  }
}
