import type { SimUser } from './options.js';
import type { SimState } from './sim-state.js';

export type AuthResult =
  { ok: true; user: SimUser; via: 'basic' | 'bearer' } | { ok: false; reason: 'missing' | 'bad-credentials' | 'bad-token' };

/**
 * The instance's answer to a missing or wrong credential, expired tokens included
 * (quoted in ServiceNow KB0719167).
 */
export const NOT_AUTHENTICATED = { message: 'User Not Authenticated', detail: 'Required to provide Auth information' };

/** Checks `Authorization: Basic` against the users and `Authorization: Bearer` against issued tokens. */
export function authenticate(header: string | undefined, state: SimState): AuthResult {
  if (!header) return { ok: false, reason: 'missing' };
  const space = header.indexOf(' ');
  const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
  const value = space < 0 ? '' : header.slice(space + 1).trim();
  if (scheme === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const user = colon < 0 ? undefined : state.config.users.get(decoded.slice(0, colon));
    return user && user.password === decoded.slice(colon + 1) ? { ok: true, user, via: 'basic' } : { ok: false, reason: 'bad-credentials' };
  }
  if (scheme === 'bearer') {
    const token = state.tokens.verify(value);
    const user = token ? state.config.users.get(token.username) : undefined;
    return user ? { ok: true, user, via: 'bearer' } : { ok: false, reason: 'bad-token' };
  }
  return { ok: false, reason: 'missing' };
}
