import { createHash } from 'node:crypto';
import { CompactEncrypt, compactDecrypt, decodeProtectedHeader } from 'jose';
import type { SharedToken } from './token-store.js';

/** Why a stored value could not be turned back into a token; never carries the value itself. */
export type OpenFailure = 'other_key' | 'undecryptable' | 'malformed';

/**
 * Seals shared tokens as compact JWE (`dir` + A256GCM, RFC 7516/7518) so that Redis only ever holds
 * ciphertext. AES-GCM authenticates the whole value: a tampered or truncated entry fails to open.
 * The upstream name is sealed inside, so an entry copied to another upstream's key is refused.
 */
export class TokenCipher {
  /** A short fingerprint of the key (not the key): tells "written with another key" from "tampered". */
  readonly keyId: string;

  constructor(private readonly key: Uint8Array) {
    if (key.length !== 32) throw new Error('the token cache key must be 32 bytes');
    this.keyId = createHash('sha256').update('trunkgate token cache key id:').update(key).digest('base64url').slice(0, 12);
  }

  async seal(upstream: string, token: SharedToken): Promise<string> {
    const plaintext = new TextEncoder().encode(JSON.stringify({ upstream, ...token }));
    return new CompactEncrypt(plaintext).setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid: this.keyId }).encrypt(this.key);
  }

  async open(upstream: string, sealed: string): Promise<{ token: SharedToken } | { failure: OpenFailure }> {
    let kid: unknown;
    try {
      kid = decodeProtectedHeader(sealed).kid;
    } catch {
      return { failure: 'malformed' };
    }
    let plaintext: Uint8Array;
    try {
      ({ plaintext } = await compactDecrypt(sealed, this.key, {
        keyManagementAlgorithms: ['dir'],
        contentEncryptionAlgorithms: ['A256GCM'],
      }));
    } catch {
      return { failure: kid !== this.keyId ? 'other_key' : 'undecryptable' };
    }
    const token = parseToken(plaintext, upstream);
    return token ? { token } : { failure: 'malformed' };
  }
}

function parseToken(plaintext: Uint8Array, upstream: string): SharedToken | undefined {
  let v: Record<string, unknown>;
  try {
    v = JSON.parse(new TextDecoder().decode(plaintext)) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const ok =
    v.upstream === upstream &&
    typeof v.value === 'string' &&
    v.value !== '' &&
    typeof v.obtainedAtWall === 'number' &&
    typeof v.expiresAtWall === 'number' &&
    typeof v.lifetimeMs === 'number' &&
    typeof v.verified === 'boolean' &&
    Array.isArray(v.scopes) &&
    v.scopes.every((s) => typeof s === 'string');
  if (!ok) return undefined;
  return {
    value: v.value as string,
    obtainedAtWall: v.obtainedAtWall as number,
    expiresAtWall: v.expiresAtWall as number,
    lifetimeMs: v.lifetimeMs as number,
    verified: v.verified as boolean,
    scopes: v.scopes as string[],
  };
}
