import { systemClock } from '../clock.js';
import type { Clock } from '../clock.js';
import type { ReferenceRecordOptions } from './reference-tables.js';
import { newSysId } from './wire.js';

export interface SimUserOptions {
  username: string;
  password: string;
  roles?: string[];
}

export interface SimOAuthClientOptions {
  clientId: string;
  clientSecret: string;
  /** When set, the client may use grant_type=client_credentials and its tokens act as this user (Washington DC and later). */
  clientCredentialsUser?: string;
}

export interface RateLimitRuleOptions {
  /** Requests allowed per user and window. */
  limit: number;
  /** Window length; ServiceNow rules count per hour. Default 3600. */
  windowSec?: number;
}

export type TokenFormat = 'opaque' | 'jwt';

export interface ServiceNowSimOptions {
  /** Default 0 (any free port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Every time decision (token expiry, rate windows, fault durations, timestamps, Date header) reads this. */
  clock?: Clock;
  /** Default: the demo integration user (see DEMO_USER). */
  users?: SimUserOptions[];
  /** Default: the demo client (see DEMO_OAUTH_CLIENT), allowed to use client_credentials as the first user. */
  oauthClients?: SimOAuthClientOptions[];
  /** Access token lifetime; default 1800 (ServiceNow's default). */
  tokenLifetimeSec?: number;
  /** Refresh token lifetime; default 8640000 (100 days, ServiceNow's default). */
  refreshTokenLifetimeSec?: number;
  /** 'opaque' (default) or JWT-shaped tokens carrying iat/exp/sub, for clock-skew checks. */
  tokenFormat?: TokenFormat;
  /** Per-user rate-limit rule; off when omitted. */
  rateLimit?: RateLimitRuleOptions;
  /**
   * Whether a Resolved (state 6) incident keeps active=true. Default false (active only while the state
   * is not 6, 7 or 8). Unconfirmed which one an out-of-the-box instance does: the task "inactive states"
   * are instance configuration, so trunkgate must work with both.
   */
  resolvedIsActive?: boolean;
  /** Largest request body accepted; default 10485760, the Table API limit quoted in ServiceNow KB0747638. */
  maxBodyBytes?: number;
  /** Records of `sys_user_group` and `cmdb_ci` (read-only; `sys_user` lists `users`). Default: DEMO_REFERENCE_RECORDS. */
  referenceRecords?: ReferenceRecordOptions;
}

/** The sandbox's integration user. */
export const DEMO_USER: SimUserOptions = { username: 'trunkgate.integration', password: 'sandbox-sn-password', roles: ['itil'] };

/** The sandbox's OAuth client; its client_credentials tokens act as the demo user. */
export const DEMO_OAUTH_CLIENT: SimOAuthClientOptions = {
  clientId: 'sandbox-sn-client',
  clientSecret: 'sandbox-sn-secret',
  clientCredentialsUser: DEMO_USER.username,
};

export interface SimUser {
  sysId: string;
  username: string;
  password: string;
  roles: string[];
}

export interface RateLimitRuleConfig {
  limit: number;
  windowSec: number;
}

/** Options with defaults applied and checked. */
export interface SimConfig {
  port: number;
  host: string;
  clock: Clock;
  users: Map<string, SimUser>;
  clients: Map<string, SimOAuthClientOptions>;
  tokenLifetimeSec: number;
  refreshTokenLifetimeSec: number;
  tokenFormat: TokenFormat;
  rateLimit: RateLimitRuleConfig | null;
  resolvedIsActive: boolean;
  maxBodyBytes: number;
  referenceRecords: ReferenceRecordOptions;
}

function positive(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v <= 0) throw new RangeError(`ServiceNow simulator: ${name} must be a positive number, got ${String(value)}`);
  return v;
}

export function checkRateLimitRule(rule: RateLimitRuleOptions): RateLimitRuleConfig {
  const limit = positive('rateLimit.limit', rule.limit, 1);
  if (!Number.isInteger(limit)) throw new RangeError('ServiceNow simulator: rateLimit.limit must be an integer');
  return { limit, windowSec: positive('rateLimit.windowSec', rule.windowSec, 3600) };
}

export function resolveOptions(options: ServiceNowSimOptions): SimConfig {
  const userList = options.users ?? [DEMO_USER];
  if (userList.length === 0) throw new RangeError('ServiceNow simulator: at least one user is needed');
  const users = new Map<string, SimUser>();
  for (const u of userList) {
    users.set(u.username, { sysId: newSysId(), username: u.username, password: u.password, roles: [...(u.roles ?? ['itil'])] });
  }
  const defaultClient = { ...DEMO_OAUTH_CLIENT, clientCredentialsUser: userList[0]!.username };
  const clients = new Map<string, SimOAuthClientOptions>();
  for (const c of options.oauthClients ?? [defaultClient]) clients.set(c.clientId, { ...c });
  return {
    port: options.port ?? 0,
    host: options.host ?? '127.0.0.1',
    clock: options.clock ?? systemClock,
    users,
    clients,
    tokenLifetimeSec: positive('tokenLifetimeSec', options.tokenLifetimeSec, 1800),
    refreshTokenLifetimeSec: positive('refreshTokenLifetimeSec', options.refreshTokenLifetimeSec, 8_640_000),
    tokenFormat: options.tokenFormat ?? 'opaque',
    rateLimit: options.rateLimit ? checkRateLimitRule(options.rateLimit) : null,
    resolvedIsActive: options.resolvedIsActive ?? false,
    maxBodyBytes: positive('maxBodyBytes', options.maxBodyBytes, 10_485_760),
    referenceRecords: structuredClone(options.referenceRecords ?? {}),
  };
}
