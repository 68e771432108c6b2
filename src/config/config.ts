import path from 'node:path';
import { EnvReader } from './env-reader.js';
import { readGatewayAuth, type GatewayAuthConfig } from './gateway-auth.js';
import { readConnections } from './connection-variables.js';
import { POLL_INTERVAL_RANGE, TOKEN_REFRESH_BUFFER_RANGE } from './connection-rules.js';
import { instanceOf, type ConnectionsConfig } from './connections.js';

/** INCIDENT_GROUP_BY: one incident per trunk base (one carrier on all its Edges, the default) or per trunk. */
export const incidentGroupings = ['trunkBase', 'trunk'] as const;
export type IncidentGrouping = (typeof incidentGroupings)[number];

export type { BasicCredential, GatewayAuthConfig } from './gateway-auth.js';

export interface GenesysConfig {
  region?: string;
  loginUrl: string;
  apiUrl: string;
  clientId: string;
  clientSecret: string;
  tokenRefreshBufferMs: number;
  /** OAuth scopes the client must have (checked against tokens/me `authorizedScope` when it lists any); never permissions. */
  requiredScopes: string[];
  /** Requests per minute per token assumed until Genesys' `inin-ratelimit-allowed` says otherwise. */
  rateLimitPerMinute: number;
}

export type ServiceNowAuth =
  | { kind: 'oauth-password'; clientId: string; clientSecret: string; username: string; password: string }
  | { kind: 'oauth-client-credentials'; clientId: string; clientSecret: string }
  | { kind: 'basic'; username: string; password: string };

export interface ServiceNowConfig {
  instanceUrl: string;
  auth: ServiceNowAuth;
  tokenRefreshBufferMs: number;
  /** Our own hourly request budget; unset = none until the instance sends `X-RateLimit-Limit`. */
  rateLimitPerHour?: number;
}

export interface Config {
  port: number;
  host: string;
  logLevel: string;
  dataDir: string;
  databaseUrl?: string;
  /** PostgreSQL schema holding trunkgate's tables (created when missing); lets several deployments share a database. */
  databaseSchema: string;
  /** Most connections one replica opens to PostgreSQL. */
  databasePoolSize: number;
  redisUrl?: string;
  /** Prefix of every Redis key trunkgate writes (several deployments may share one Redis). */
  redisKeyPrefix: string;
  /**
   * TOKEN_CACHE_KEY: the 32-byte key that encrypts the shared token cache in Redis; set whenever
   * `redisUrl` is. Named with "secret" so structural log redaction masks it if config is ever logged.
   */
  tokenCacheSecretKey?: Uint8Array;
  mappingsDir: string;
  maxPayloadBytes: number;
  gatewayAuth: GatewayAuthConfig;
  /** Every Genesys org and ServiceNow instance, and the incident routes (CONNECTIONS_FILE, or the variables as `default`). */
  connections: ConnectionsConfig;
  /** The first org (the default one): what single-connection code uses. */
  genesys: GenesysConfig;
  /** The first org's instance. */
  servicenow: ServiceNowConfig;
  /** MONITOR_*: every org's monitor unless CONNECTIONS_FILE overrides it for the org. */
  monitor: { pollIntervalMs: number; notifications: boolean };
  incidents: { openAfterMs: number; resolveAfterMs: number; reopenWindowMs: number; noteIntervalMs: number; groupBy: IncidentGrouping };
  alertWebhookUrl?: string;
  /** A ServiceNow delivery failing for longer than this alerts the helpdesk webhook. */
  alertAfterMs: number;
  actionTimeoutMs: number;
  /** How long SIGTERM waits for in-flight requests before closing them. */
  shutdownGraceMs: number;
  /** AUDIT_RETENTION_DAYS: audit entries older than this many days are deleted. */
  auditRetentionDays: number;
}

/** Thrown when the environment is unusable; lists every problem at once. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const LOG_LEVELS = ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'];

/**
 * TOKEN_CACHE_KEY: 32 random bytes as 64 hex digits or base64 (e.g. `openssl rand -base64 32`).
 * Required with REDIS_URL: tokens are shared through Redis only encrypted with it.
 */
function readTokenCacheKey(r: EnvReader, redisUrl: string | undefined): Uint8Array | undefined {
  const raw = r.secret('TOKEN_CACHE_KEY');
  if (raw === undefined) {
    if (redisUrl !== undefined)
      r.problems.push(
        'TOKEN_CACHE_KEY (or TOKEN_CACHE_KEY_FILE) is required with REDIS_URL: 32 random bytes, hex or base64 (openssl rand -base64 32)',
      );
    return undefined;
  }
  const text = raw.trim();
  let key: Buffer | undefined;
  if (/^[0-9a-fA-F]{64}$/.test(text)) key = Buffer.from(text, 'hex');
  else if (/^[A-Za-z0-9+/_-]{42,43}={0,2}$/.test(text)) key = Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  // The value itself is never echoed: only its shape is described.
  if (key?.length !== 32) {
    r.problems.push(`TOKEN_CACHE_KEY must be 32 bytes as 64 hex digits or base64 (got ${text.length} characters that are neither)`);
    return undefined;
  }
  return new Uint8Array(key);
}

/**
 * Reads the whole configuration from an environment. Throws a ConfigError naming every bad setting.
 * `requireCallerAuth` is what `npm start` uses: a gateway open to anyone is refused.
 */
export function loadConfig(
  env: NodeJS.ProcessEnv,
  options: { requireCallerAuth?: boolean; readFile?: (path: string) => string } = {},
): Config {
  const r = new EnvReader(env, options.readFile);
  const logLevel = r.string('LOG_LEVEL') ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) r.problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${logLevel}")`);

  const gatewayAuth = readGatewayAuth(r, env, options);

  const defaultBuffer = r.integer('TOKEN_REFRESH_BUFFER_MS', 15_000, TOKEN_REFRESH_BUFFER_RANGE);
  const monitor = {
    pollIntervalMs: r.integer('MONITOR_POLL_INTERVAL_MS', 30_000, POLL_INTERVAL_RANGE),
    notifications: r.boolean('MONITOR_NOTIFICATIONS', true),
  };
  const connections = readConnections(r, env, { tokenRefreshBufferMs: defaultBuffer, monitor });

  const dataDir = path.resolve(r.string('DATA_DIR') ?? './data');
  const redisUrl = r.url('REDIS_URL', r.secret('REDIS_URL'), ['redis:', 'rediss:']);
  const redisKeyPrefix = r.string('REDIS_KEY_PREFIX') ?? 'trunkgate:';
  const config: Omit<Config, 'genesys' | 'connections' | 'servicenow'> = {
    port: r.integer('PORT', 8080, { min: 0, max: 65535 }),
    host: r.string('HOST') ?? '0.0.0.0',
    logLevel,
    dataDir,
    databaseUrl: r.url('DATABASE_URL', r.secret('DATABASE_URL'), ['postgres:', 'postgresql:']),
    databaseSchema: readDatabaseSchema(r),
    databasePoolSize: r.integer('DATABASE_POOL_SIZE', 10, { min: 1, max: 100 }),
    redisUrl,
    redisKeyPrefix,
    tokenCacheSecretKey: readTokenCacheKey(r, redisUrl),
    mappingsDir: path.resolve(r.string('MAPPINGS_DIR') ?? './mappings'),
    maxPayloadBytes: r.integer('MAX_PAYLOAD_BYTES', 10_240, { min: 2, max: 10 * 1024 * 1024 }),
    gatewayAuth,
    monitor,
    incidents: {
      openAfterMs: r.integer('INCIDENT_OPEN_AFTER_MS', 30_000, { min: 0 }),
      resolveAfterMs: r.integer('INCIDENT_RESOLVE_AFTER_MS', 300_000, { min: 0 }),
      reopenWindowMs: r.integer('INCIDENT_REOPEN_WINDOW_MS', 3_600_000, { min: 0 }),
      noteIntervalMs: r.integer('INCIDENT_NOTE_INTERVAL_MS', 300_000, { min: 0 }),
      groupBy: r.choice('INCIDENT_GROUP_BY', incidentGroupings, 'trunkBase'),
    },
    alertWebhookUrl: r.url('ALERT_WEBHOOK_URL', r.secret('ALERT_WEBHOOK_URL')),
    alertAfterMs: r.integer('ALERT_AFTER_MS', 120_000, { min: 0 }),
    actionTimeoutMs: r.integer('ACTION_TIMEOUT_MS', 10_000, { min: 100, max: 60_000 }),
    shutdownGraceMs: r.integer('SHUTDOWN_GRACE_MS', 10_000, { min: 0, max: 120_000 }),
    auditRetentionDays: r.integer('AUDIT_RETENTION_DAYS', 90, { min: 1, max: 36_500 }),
  };
  if (r.problems.length > 0) throw new ConfigError(r.problems);
  const first = connections.orgs[0]!;
  return { ...config, connections, genesys: first, servicenow: instanceOf(connections, first) };
}

/** DATABASE_SCHEMA: a plain lower-case identifier, so it never needs quoting in SQL or connection options. */
function readDatabaseSchema(r: EnvReader): string {
  const schema = r.string('DATABASE_SCHEMA') ?? 'public';
  if (/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) return schema;
  r.problems.push(`DATABASE_SCHEMA must be a lower-case identifier (letters, digits, _; got "${schema}")`);
  return 'public';
}
