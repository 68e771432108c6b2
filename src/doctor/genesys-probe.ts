import type { AxiosInstance } from 'axios';
import type { Config } from '../config/config.js';
import { GenesysTokenIssuer } from '../credentials/token-issuers.js';
import type { TokenGrant } from '../credentials/token-types.js';
import type { Logger } from '../log/logger.js';
import { DEFAULT_MONITOR_TUNING } from '../monitor/monitor-tuning.js';
import { systemClock, type Clock } from '../time/clock.js';
import { GenesysClient } from '../upstream/genesys-client.js';
import { GenesysNotificationsClient, upstreamStatusOf } from '../upstream/genesys-notifications-client.js';
import { exponentialBackoff } from '../net/backoff.js';
import { closeHttpClient, createHttpClient } from '../net/http-client.js';
import { NotChecked } from './check.js';
import { CALL_TIMEOUT_MS, DOCTOR_BACKOFF_MS, FixedCredentials, once, RecordingPacer } from './probe-parts.js';

/** What the client-credentials grant gave: a token, or the error (TokenEndpointError for an answer or no answer). */
export type GrantOutcome = { grant: TokenGrant; tookMs: number } | { error: unknown; tookMs: number };

/** `GET /api/v2/tokens/me` (`TokenInfo`), the fields the doctor shows. */
export interface TokenInfo {
  organization?: { id?: string; name?: string };
  OAuthClient?: { id?: string; name?: string };
  authorizedScope?: unknown;
}

// Right after a grant Genesys may refuse the new token for a moment (docs/genesys-cloud.md, 'OAuth client
// credentials'); the broker waits for it, and so does the doctor, a little.
const ACCEPTANCE_WAIT_MS = 5_000;
// The monitor's page size, so the doctor sees the same pages (and counts the same calls).
const PAGE_SIZE = DEFAULT_MONITOR_TUNING.pageSize;
const MAX_PAGES = 1_000;

/**
 * The Genesys calls the doctor makes, each made once and shared by the checks that judge it: the grant
 * (GenesysTokenIssuer, as the broker asks), tokens/me and the trunk listing (GenesysClient, as the
 * monitor and the actions call), the Notifications API (GenesysNotificationsClient).
 */
export class GenesysProbe {
  readonly pacer = new RecordingPacer();
  readonly grant: () => Promise<GrantOutcome>;
  private readonly loginHttp: AxiosInstance;
  private readonly apiHttp: AxiosInstance;
  private client?: GenesysClient;
  private obtained?: TokenGrant;
  private info?: Promise<{ info: TokenInfo; waitedMs: number }>;
  private listing?: Promise<{ trunks: Array<Record<string, unknown>>; pages: number }>;

  constructor(
    readonly config: Config,
    private readonly logger: Logger,
    private readonly clock: Clock = systemClock,
  ) {
    this.loginHttp = createHttpClient({ baseURL: config.genesys.loginUrl, timeoutMs: CALL_TIMEOUT_MS, maxSockets: 2 });
    this.apiHttp = createHttpClient({ baseURL: config.genesys.apiUrl, timeoutMs: CALL_TIMEOUT_MS, maxSockets: 4 });
    this.grant = once(async () => {
      const started = performance.now();
      try {
        const grant = await new GenesysTokenIssuer(this.loginHttp, config.genesys, this.clock).requestToken();
        this.obtained = grant;
        return { grant, tookMs: performance.now() - started };
      } catch (error) {
        return { error, tookMs: performance.now() - started };
      }
    });
  }

  /** The grant, once obtained (its token must never reach the report). */
  settledGrant(): TokenGrant | undefined {
    return this.obtained;
  }

  /** The token; a check that needs one and finds none is not checked. */
  async token(): Promise<TokenGrant> {
    const outcome = await this.grant();
    if ('error' in outcome) throw new NotChecked('genesys-token', 'no Genesys token (the client-credentials grant failed)');
    return outcome.grant;
  }

  async api(): Promise<GenesysClient> {
    const token = await this.token();
    this.client ??= new GenesysClient(this.apiHttp, new FixedCredentials('genesys', `Bearer ${token.accessToken}`), {
      pacer: this.pacer,
      clock: this.clock,
      defaultTimeoutMs: CALL_TIMEOUT_MS,
      backoffMs: DOCTOR_BACKOFF_MS,
      logger: this.logger,
    });
    return this.client;
  }

  async notifications(): Promise<GenesysNotificationsClient> {
    return new GenesysNotificationsClient(await this.api());
  }

  /** GET /api/v2/tokens/me, asked again on 401 for up to 5 s (a token not yet propagated). */
  tokenInfo(signal: AbortSignal): Promise<{ info: TokenInfo; waitedMs: number }> {
    this.info ??= (async () => {
      const api = await this.api();
      const started = performance.now();
      for (let attempt = 1; ; attempt++) {
        const delay = exponentialBackoff(attempt, { baseMs: 100, capMs: 1_000 });
        try {
          const { body } = await api.send({ operation: 'GET tokens/me', method: 'GET', path: '/api/v2/tokens/me' }, { signal });
          return { info: (typeof body === 'object' && body !== null ? body : {}) as TokenInfo, waitedMs: performance.now() - started };
        } catch (err) {
          if (upstreamStatusOf(err) !== 401 || performance.now() - started + delay > ACCEPTANCE_WAIT_MS) throw err;
          await this.clock.sleep(delay, signal);
        }
      }
    })();
    return this.info;
  }

  /** Every EXTERNAL trunk, every page, as the trunk monitor reads them (deleted ones left out). */
  trunks(signal: AbortSignal): Promise<{ trunks: Array<Record<string, unknown>>; pages: number }> {
    this.listing ??= (async () => {
      const api = await this.api();
      const trunks: Array<Record<string, unknown>> = [];
      let pages = 0;
      for (let pageNumber = 1, pageCount = 1; pageNumber <= pageCount && pageNumber <= MAX_PAGES; pageNumber++) {
        const page = await api.listTrunks({ pageNumber, pageSize: PAGE_SIZE }, signal);
        pages++;
        const entities = Array.isArray(page.entities) ? (page.entities as Array<Record<string, unknown>>) : [];
        pageCount = typeof page.pageCount === 'number' ? page.pageCount : pageNumber;
        trunks.push(...entities.filter((t) => typeof t === 'object' && t !== null && t.state !== 'deleted'));
        if (entities.length === 0) break;
      }
      return { trunks, pages };
    })();
    return this.listing;
  }

  /** The trunks, or NotChecked when the listing failed (genesys-trunks says why). */
  async trunksOrSkip(signal: AbortSignal): Promise<Array<Record<string, unknown>>> {
    try {
      return (await this.trunks(signal)).trunks;
    } catch (err) {
      if (err instanceof NotChecked) throw err;
      throw new NotChecked('genesys-trunks', 'the trunk listing failed');
    }
  }

  close(): void {
    closeHttpClient(this.loginHttp);
    closeHttpClient(this.apiHttp);
  }
}
