import { EventEmitter } from 'node:events';
import type { TokenBroker } from './token-broker.js';
import type { CredentialsSnapshot, FailedEvent, HeldToken, RotatedEvent, UpstreamName } from './token-types.js';

export type { UpstreamName } from './token-types.js';

/** The Authorization an upstream call carries; `token` lets the broker judge a refusal. */
export interface Authorization {
  header: string;
  token?: HeldToken;
}

/** What every upstream client asks for credentials: a header, and what to do when it is refused. */
export interface UpstreamCredentials {
  readonly upstream: UpstreamName;
  authorize(): Promise<Authorization>;
  /** After a 401/403: the Authorization to retry with once, or undefined when a retry cannot help. */
  refused(auth: Authorization, status: number): Promise<Authorization | undefined>;
  accepted(auth: Authorization): void;
  snapshot(): CredentialsSnapshot;
  /** False when no token can be had right now (readiness). */
  ready(): Promise<{ ok: boolean; detail?: string }>;
  start(): void;
  stop(): void;
  /** `rotated` after a new token replaced the old one; `failed` when refreshing fails (once per episode, and each permanent failure). */
  on(event: 'rotated', listener: (e: RotatedEvent) => void): this;
  on(event: 'failed', listener: (e: FailedEvent) => void): this;
  on(event: 'recovered', listener: (e: { upstream: string; at: number }) => void): this;
}

/** Bearer tokens from a TokenBroker. */
export class BrokeredCredentials extends EventEmitter implements UpstreamCredentials {
  readonly upstream: UpstreamName;

  constructor(readonly broker: TokenBroker) {
    super();
    this.upstream = broker.upstream;
    for (const event of ['rotated', 'failed', 'recovered'] as const) broker.on(event, (e: unknown) => this.emit(event, e));
  }

  async authorize(): Promise<Authorization> {
    const token = await this.broker.token();
    return { header: `Bearer ${token.value}`, token };
  }

  async refused(auth: Authorization, status: number): Promise<Authorization | undefined> {
    if (!auth.token) return undefined;
    const next = await this.broker.afterRejection(auth.token, status);
    return next ? { header: `Bearer ${next.value}`, token: next } : undefined;
  }

  accepted(auth: Authorization): void {
    if (auth.token) this.broker.accepted(auth.token);
  }

  snapshot(): CredentialsSnapshot {
    return this.broker.snapshot();
  }

  async ready(): Promise<{ ok: boolean; detail?: string }> {
    try {
      await this.broker.token();
      return { ok: true };
    } catch (err) {
      return { ok: false, detail: (err as Error).message };
    }
  }

  start(): void {
    this.broker.start();
  }

  stop(): void {
    this.broker.stop();
  }
}

/** ServiceNow Basic auth: nothing to refresh; a 401 is a wrong password and is not retried. */
export class BasicCredentials extends EventEmitter implements UpstreamCredentials {
  readonly upstream = 'servicenow' as const;
  private readonly header: string;
  private lastRefusal?: string;

  constructor(username: string, password: string) {
    super();
    this.header = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  }

  async authorize(): Promise<Authorization> {
    return { header: this.header };
  }

  async refused(_auth: Authorization, status: number): Promise<undefined> {
    if (status === 401 && !this.lastRefusal) {
      this.lastRefusal = `ServiceNow refused the integration user's Basic credentials (${status})`;
      this.emit('failed', { upstream: 'servicenow', at: Date.now(), permanent: true, message: this.lastRefusal } satisfies FailedEvent);
    }
    return undefined;
  }

  accepted(): void {
    if (this.lastRefusal) this.emit('recovered', { upstream: 'servicenow', at: Date.now() });
    this.lastRefusal = undefined;
  }

  snapshot(): CredentialsSnapshot {
    return {
      name: 'servicenow',
      expiresAt: null,
      refreshedAt: null,
      nextRefreshAt: null,
      refreshCount: 0,
      failureCount: this.lastRefusal ? 1 : 0,
      lastError: this.lastRefusal ?? null,
      verified: false,
      scopes: [],
      skewMs: null,
      state: this.lastRefusal ? 'failed' : 'ok',
    };
  }

  async ready(): Promise<{ ok: boolean; detail?: string }> {
    return this.lastRefusal ? { ok: false, detail: this.lastRefusal } : { ok: true };
  }

  start(): void {}

  stop(): void {}
}
