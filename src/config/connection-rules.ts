import type { ServiceNowAuth } from './config.js';

/**
 * The rules a Genesys org's and a ServiceNow instance's settings follow, written once for both places
 * they come from: the GENESYS_* / SERVICENOW_* variables and the entries of CONNECTIONS_FILE.
 */

/** A token is never used with less than this left; up to an hour. */
export const TOKEN_REFRESH_BUFFER_RANGE = { min: 0, max: 3_600_000 };
/** Requests per minute per Genesys token assumed until `inin-ratelimit-allowed` says otherwise. */
export const GENESYS_RATE_LIMIT_DEFAULT = 300;
export const GENESYS_RATE_LIMIT_RANGE = { min: 1, max: 1_000_000 };
/** Our own hourly ServiceNow budget: no upper bound, none at all when unset. */
export const SERVICENOW_RATE_LIMIT_RANGE = { min: 1 };
/** Trunk state is read at most once a second. */
export const POLL_INTERVAL_RANGE = { min: 1_000 };

/**
 * Why an entry of the required OAuth scopes is refused, or undefined when it is a scope. Genesys
 * scopes have one or two parts (`telephony`, `telephony:readonly`: "a scope, which can be read-only
 * or read-write", help.mypurecloud.com "Permissions and scopes in the public API"; no scope of three
 * parts is listed anywhere we looked), while permissions have three (`telephony:plugin:all`). A
 * permission here would fail every real token, since tokens/me never lists permissions.
 */
export function scopeRefusal(scope: string): string | undefined {
  if (scope.split(':').length < 3) return undefined;
  return `"${scope}" is a Genesys permission (domain:entity:action), not an OAuth scope. Permissions come from the OAuth client's roles and never appear in a token's scopes; trunkgate checks them by calling the API (see README "Permissions and OAuth scopes"). Remove it; scopes look like "telephony" or "telephony:readonly"`;
}

/** The ServiceNow credential settings as given (unset = undefined). */
export interface ServiceNowCredentials {
  clientId?: string;
  clientSecret?: string;
  username?: string;
  password?: string;
}

/** How problems name a credential setting: a variable (SERVICENOW_CLIENT_ID) or a file entry's field. */
export interface CredentialWording {
  /** The setting as another problem mentions it. */
  name(field: keyof ServiceNowCredentials): string;
  /** One problem about a setting. */
  problem(field: keyof ServiceNowCredentials, why: string): string;
  /** The problem when no credential is given at all. */
  none: string;
}

/**
 * Which ServiceNow authentication the given settings mean: an OAuth client with a user → password
 * grant, an OAuth client alone → client_credentials, a user alone → Basic. Half of a pair is a problem.
 */
export function serviceNowAuthOf(given: ServiceNowCredentials, wording: CredentialWording, problems: string[]): ServiceNowAuth {
  const { clientId, clientSecret, username, password } = given;
  const need = (field: keyof ServiceNowCredentials, why: string): string => {
    const value = given[field];
    if (value === undefined) problems.push(wording.problem(field, why));
    return value ?? '';
  };
  const user = () => ({
    username: need('username', `is required with ${wording.name('password')}`),
    password: need('password', `is required with ${wording.name('username')}`),
  });
  if (clientId !== undefined || clientSecret !== undefined) {
    const client = {
      clientId: need('clientId', `is required when ${wording.name('clientSecret')} is set`),
      clientSecret: need('clientSecret', `is required when ${wording.name('clientId')} is set`),
    };
    if (username === undefined && password === undefined) return { kind: 'oauth-client-credentials', ...client };
    return { kind: 'oauth-password', ...client, ...user() };
  }
  if (username === undefined && password === undefined) {
    problems.push(wording.none);
    return { kind: 'basic', username: '', password: '' };
  }
  return { kind: 'basic', ...user() };
}
