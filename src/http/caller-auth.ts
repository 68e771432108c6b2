import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import type { Caller } from '../callers/caller.js';
import type { CallerDefinition } from '../config/caller-definitions.js';
import { PermissionSet, permissionsFromClaim } from '../callers/permissions.js';
import type { GatewayAuthConfig } from '../config/config.js';
import { UnauthorizedError, UpstreamUnavailableError } from '../errors/app-error.js';

export type { Caller } from '../callers/caller.js';

const REALM = 'trunkgate';

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** Constant-time membership: every candidate is compared, equal-length digests, no early exit. */
function matchesAny(value: string, candidates: Buffer[]): number {
  const d = digest(value);
  let found = -1;
  candidates.forEach((c, i) => {
    if (timingSafeEqual(d, c) && found === -1) found = i;
  });
  return found;
}

/** The caller a configured definition authenticates as: built once, shared by all its requests. */
function callerOf(definition: CallerDefinition): Caller {
  const method = definition.credential.kind;
  return {
    method,
    name: definition.name,
    label: definition.name,
    permissions: new PermissionSet(definition.permissions),
    rateLimitPerMinute: definition.rateLimitPerMinute,
  };
}

/** A JWT caller's name: the subject, else the OAuth client (`client_id`, RFC 9068; `azp`, OpenID Connect). */
function jwtName(payload: Record<string, unknown>): string {
  const name = [payload.sub, payload.client_id, payload.azp].find((v) => typeof v === 'string' && v !== '');
  return typeof name === 'string' ? name.slice(0, 200) : 'jwt';
}

function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token);
}

/** Verifies callers of /v1 with Basic, API keys (Bearer or X-API-Key) or JWTs checked against a JWKS. */
export class CallerAuthenticator {
  private readonly basicUsers: Buffer[];
  private readonly basicPasswords: Buffer[];
  private readonly basicCallers: Caller[];
  private readonly apiKeys: Buffer[];
  private readonly keyCallers: Caller[];
  private readonly jwks?: JWTVerifyGetKey;
  private readonly challenge: string;
  /** What a browser is challenged with: Basic alone when Basic users exist (browsers prompt for that). */
  private readonly browserChallenge: string;
  /** The schemes callers may use, for messages (never anything from the request). */
  private readonly accepted: string;

  constructor(
    private readonly config: GatewayAuthConfig,
    options: { jwks?: JWTVerifyGetKey } = {},
  ) {
    const basic = config.callers.filter((c) => c.credential.kind === 'basic');
    const keyed = config.callers.filter((c) => c.credential.kind === 'api-key');
    this.basicUsers = basic.map((c) => digest((c.credential as { user: string }).user));
    this.basicPasswords = basic.map((c) => digest((c.credential as { password: string }).password));
    this.basicCallers = basic.map(callerOf);
    this.apiKeys = keyed.map((c) => digest((c.credential as { key: string }).key));
    this.keyCallers = keyed.map(callerOf);
    if (config.jwt) {
      // The key set is cached by jose and refetched at most every 30 s when an unknown `kid` shows up.
      this.jwks =
        options.jwks ??
        createRemoteJWKSet(new URL(config.jwt.jwksUrl), { timeoutDuration: 5_000, cooldownDuration: 30_000, cacheMaxAge: 600_000 });
    }
    const challenges: string[] = [];
    if (basic.length > 0) challenges.push(`Basic realm="${REALM}", charset="UTF-8"`);
    if (keyed.length > 0 || config.jwt) challenges.push(`Bearer realm="${REALM}"`);
    this.challenge = challenges.join(', ') || `Bearer realm="${REALM}"`;
    this.browserChallenge = basic.length > 0 ? challenges[0]! : this.challenge;
    this.accepted =
      [basic.length > 0 ? 'Basic' : '', keyed.length > 0 || config.jwt ? 'Bearer' : ''].filter(Boolean).join(' or ') || 'Bearer';
  }

  /** The caller, synchronously unless a JWT has to be verified (promises on the hot path cost a context hook each). */
  authenticate(req: Request): Caller | Promise<Caller> {
    const apiKeyHeader = req.headers['x-api-key'];
    if (typeof apiKeyHeader === 'string' && apiKeyHeader !== '') {
      const found = this.apiKeys.length > 0 ? matchesAny(apiKeyHeader, this.apiKeys) : -1;
      if (found >= 0) return this.keyCallers[found]!;
      throw this.refuse('The API key is not valid');
    }
    const header = req.headers.authorization;
    if (!header) throw this.refuse('Credentials are required');
    // `<scheme> 1*SP <credentials>` (RFC 9110 section 11.4); tabs are tolerated. Nothing of the header is ever
    // quoted back or logged: a caller that sends its key without a scheme has just sent the key.
    const match = /^([A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*)(?:[ \t]+([^]*))?$/.exec(header);
    if (!match || match[2] === undefined) {
      throw this.refuse(
        `The Authorization header must be "<scheme> <credentials>" (${this.accepted}); an API key goes as "Bearer <key>" or in X-API-Key`,
      );
    }
    const scheme = match[1]!.toLowerCase();
    const value = match[2].trim();

    if (scheme === 'basic' && this.basicUsers.length > 0) return this.basic(value);
    if (scheme === 'bearer' && value !== '') {
      const found = this.apiKeys.length > 0 ? matchesAny(value, this.apiKeys) : -1;
      if (found >= 0) return this.keyCallers[found]!;
      if (this.jwks && looksLikeJwt(value)) return this.jwt(value);
      throw this.refuse('The bearer token is not valid', 'invalid_token');
    }
    throw this.refuse(`The Authorization header's scheme is not accepted: use ${this.accepted}`);
  }

  private basic(value: string): Caller {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw this.refuse('Malformed Basic credentials');
    const user = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    const u = digest(user);
    const p = digest(password);
    let ok = -1;
    this.basicUsers.forEach((bu, i) => {
      const both = Number(timingSafeEqual(u, bu)) & Number(timingSafeEqual(p, this.basicPasswords[i]!));
      if (both === 1 && ok === -1) ok = i;
    });
    if (ok < 0) throw this.refuse('User name or password is not valid');
    return this.basicCallers[ok]!;
  }

  private async jwt(token: string): Promise<Caller> {
    const jwt = this.config.jwt!;
    try {
      const { payload } = await jwtVerify(token, this.jwks!, {
        issuer: jwt.issuer,
        audience: jwt.audience,
        clockTolerance: 30,
      });
      return { method: 'jwt', name: jwtName(payload), label: 'jwt', permissions: permissionsFromClaim(payload[jwt.permissionsClaim]) };
    } catch (err) {
      if (err instanceof joseErrors.JWKSTimeout || (err instanceof Error && !(err instanceof joseErrors.JOSEError))) {
        // The key set could not be fetched: not the caller's fault.
        throw new UpstreamUnavailableError('Cannot reach the JWKS to verify the token', { upstream: 'jwks', operation: 'GET jwks' }, err);
      }
      const reason =
        err instanceof joseErrors.JWTExpired
          ? 'The token has expired'
          : err instanceof joseErrors.JWTClaimValidationFailed
            ? `The token's "${err.claim}" claim is not accepted`
            : 'The token signature or format is not valid';
      throw this.refuse(reason, 'invalid_token');
    }
  }

  private refuse(message: string, bearerError?: string): UnauthorizedError {
    const challenge = bearerError
      ? this.challenge.replace(`Bearer realm="${REALM}"`, `Bearer realm="${REALM}", error="${bearerError}"`)
      : this.challenge;
    return new UnauthorizedError(message, challenge);
  }

  /**
   * Express middleware that sets `res.locals.caller`. With `browser` (the console's pages) a refusal
   * challenges with Basic alone when Basic users exist: a browser shows its login prompt for that.
   */
  middleware(options: { browser?: boolean } = {}) {
    const refused = (err: unknown): never => {
      if (options.browser && err instanceof UnauthorizedError) throw new UnauthorizedError(err.message, this.browserChallenge);
      throw err;
    };
    return (req: Request, res: Response, next: NextFunction): void | Promise<void> => {
      let caller: Caller | Promise<Caller>;
      try {
        caller = this.authenticate(req);
      } catch (err) {
        return refused(err);
      }
      if (caller instanceof Promise) {
        return caller.then((verified) => {
          res.locals.caller = verified;
          next();
        }, refused);
      }
      res.locals.caller = caller;
      next();
    };
  }
}
