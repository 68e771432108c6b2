import { PERMISSIONS, type CallerDefinition } from './caller-definitions.js';
import { MIN_API_KEY_LENGTH, parseCallersFile } from './callers-file.js';
import type { EnvReader } from './env-reader.js';

export interface BasicCredential {
  user: string;
  password: string;
}

/** How callers of /v1 prove who they are and what each may do; at least one method must be set for `npm start`. */
export interface GatewayAuthConfig {
  /** GATEWAY_BASIC_AUTH as given (each user is also one of `callers`). */
  basic: BasicCredential[];
  /** GATEWAY_API_KEYS as given (each key is also one of `callers`). */
  apiKeys: string[];
  /** Every configured caller: CALLERS_FILE's, then one per key of GATEWAY_API_KEYS and user of GATEWAY_BASIC_AUTH. */
  callers: CallerDefinition[];
  /** CALLERS_FILE, when set. */
  callersFile?: string;
  /** JWTs verified against a JWKS; their permissions come from the `permissionsClaim` claim. */
  jwt?: { jwksUrl: string; issuer?: string; audience?: string; permissionsClaim: string };
  /** GATEWAY_CALLER_RATE_LIMIT: requests per minute per caller unless the caller has its own; unset = none. */
  rateLimitPerMinute?: number;
}

function parseBasicAuth(reader: EnvReader, raw: string | undefined): BasicCredential[] {
  if (raw === undefined) return [];
  const out: BasicCredential[] = [];
  raw.split(',').forEach((entry, i) => {
    const pair = entry.trim();
    const colon = pair.indexOf(':');
    if (colon <= 0 || colon === pair.length - 1) {
      reader.problems.push(`GATEWAY_BASIC_AUTH entry ${i + 1} must be user:password`);
      return;
    }
    out.push({ user: pair.slice(0, colon), password: pair.slice(colon + 1) });
  });
  return out;
}

/** Where a caller was configured, for messages: a file entry's pointer or an environment entry. */
function origin(caller: CallerDefinition, index: number): string {
  return caller.source === 'CALLERS_FILE' ? `CALLERS_FILE /callers/${index} (${caller.name})` : `${caller.source} (${caller.name})`;
}

/**
 * One credential, one caller: a key or a Basic user listed twice (in the file, in the environment, or in
 * both) would leave it to the order of a list which permissions apply. Names are unique for the same
 * reason in logs and metrics. Messages name entries, never the secret.
 */
function checkUnique(callers: CallerDefinition[], fileIndex: Map<CallerDefinition, number>, problems: string[]): void {
  const names = new Map<string, string>();
  const keys = new Map<string, string>();
  const users = new Map<string, string>();
  for (const caller of callers) {
    const where = origin(caller, fileIndex.get(caller) ?? -1);
    const seenName = names.get(caller.name);
    if (seenName) problems.push(`${where}: the name "${caller.name}" is also ${seenName}; each caller needs its own name`);
    else names.set(caller.name, where);
    const credential = caller.credential;
    const [seen, id, what] =
      credential.kind === 'api-key' ? [keys, credential.key, 'API key'] : [users, credential.user, `Basic user "${credential.user}"`];
    const first = seen.get(id);
    if (first) problems.push(`${where}: its ${what} is also the credential of ${first}; a credential may name one caller only`);
    else seen.set(id, where);
  }
}

/** Reads GATEWAY_BASIC_AUTH, GATEWAY_API_KEYS, CALLERS_FILE, the JWT settings and GATEWAY_CALLER_RATE_LIMIT. */
export function readGatewayAuth(r: EnvReader, env: NodeJS.ProcessEnv, options: { requireCallerAuth?: boolean }): GatewayAuthConfig {
  const basic = parseBasicAuth(r, r.secret('GATEWAY_BASIC_AUTH'));
  const apiKeys = (r.secret('GATEWAY_API_KEYS') ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);
  if (apiKeys.some((k) => k.length < MIN_API_KEY_LENGTH))
    r.problems.push(`GATEWAY_API_KEYS: every key must be at least ${MIN_API_KEY_LENGTH} characters`);

  const problemsBefore = r.problems.length;
  const file = r.file('CALLERS_FILE');
  const fromFile = file ? parseCallersFile(file.text, env) : { callers: [], problems: [], positions: new Map<CallerDefinition, number>() };
  for (const problem of fromFile.problems) r.problems.push(`CALLERS_FILE (${file!.path}): ${problem}`);
  const fileFailed = r.problems.length > problemsBefore;
  // Callers named in the environment keep the meaning they had before permissions existed: everything.
  const everything = [...PERMISSIONS];
  const callers: CallerDefinition[] = [
    ...fromFile.callers,
    ...apiKeys.map((key, i): CallerDefinition => ({
      name: `env-key-${i + 1}`,
      credential: { kind: 'api-key', key },
      permissions: everything,
      source: 'GATEWAY_API_KEYS',
    })),
    ...basic.map((b): CallerDefinition => ({
      name: `basic:${b.user}`,
      credential: { kind: 'basic', ...b },
      permissions: everything,
      source: 'GATEWAY_BASIC_AUTH',
    })),
  ];
  checkUnique(callers, fromFile.positions, r.problems);

  const jwksUrl = r.url('GATEWAY_JWKS_URL', r.string('GATEWAY_JWKS_URL'));
  const permissionsClaim = r.string('GATEWAY_JWT_PERMISSIONS_CLAIM') ?? 'scope';
  if (!jwksUrl && (r.string('GATEWAY_JWT_ISSUER') || r.string('GATEWAY_JWT_AUDIENCE') || r.string('GATEWAY_JWT_PERMISSIONS_CLAIM'))) {
    r.problems.push('GATEWAY_JWT_ISSUER / GATEWAY_JWT_AUDIENCE / GATEWAY_JWT_PERMISSIONS_CLAIM need GATEWAY_JWKS_URL');
  }
  if (options.requireCallerAuth && callers.length === 0 && !jwksUrl && !fileFailed) {
    r.problems.push('no caller authentication configured: set CALLERS_FILE, GATEWAY_BASIC_AUTH, GATEWAY_API_KEYS or GATEWAY_JWKS_URL');
  }
  const limit = r.string('GATEWAY_CALLER_RATE_LIMIT');
  return {
    basic,
    apiKeys,
    callers,
    callersFile: file?.path,
    jwt: jwksUrl
      ? { jwksUrl, issuer: r.string('GATEWAY_JWT_ISSUER'), audience: r.string('GATEWAY_JWT_AUDIENCE'), permissionsClaim }
      : undefined,
    rateLimitPerMinute: limit === undefined ? undefined : r.integer('GATEWAY_CALLER_RATE_LIMIT', 0, { min: 1, max: 1_000_000 }),
  };
}
