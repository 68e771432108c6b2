import { describe, expect, it } from 'vitest';
import { TokenCipher } from '../../src/credentials/token-cipher.js';
import type { SharedToken } from '../../src/credentials/token-store.js';

const token: SharedToken = {
  value: 'opaque-access-token-value',
  obtainedAtWall: 1_767_225_600_000,
  expiresAtWall: 1_767_229_200_000,
  lifetimeMs: 3_600_000,
  verified: true,
  scopes: ['telephony:plugin:all'],
};
const key = (fill: number) => new Uint8Array(32).fill(fill);

describe('TokenCipher', () => {
  it('seals a token as compact JWE (dir, A256GCM) that holds no clear text, and opens it again', async () => {
    const cipher = new TokenCipher(key(1));
    const sealed = await cipher.seal('genesys', token);
    expect(sealed.split('.')).toHaveLength(5);
    expect(sealed.split('.')[1]).toBe(''); // dir: no encrypted key part
    const header = JSON.parse(Buffer.from(sealed.split('.')[0]!, 'base64url').toString()) as Record<string, unknown>;
    expect(header).toEqual({ alg: 'dir', enc: 'A256GCM', kid: cipher.keyId });
    expect(sealed).not.toContain('opaque');
    expect(Buffer.from(sealed.split('.')[3]!, 'base64url').toString('latin1')).not.toContain('opaque-access-token');
    expect(await cipher.open('genesys', sealed)).toEqual({ token });
    expect(await cipher.seal('genesys', token)).not.toBe(sealed); // a fresh IV every time
  });

  it('refuses a value sealed with another key, naming that as the reason', async () => {
    const sealed = await new TokenCipher(key(1)).seal('genesys', token);
    expect(await new TokenCipher(key(2)).open('genesys', sealed)).toEqual({ failure: 'other_key' });
  });

  it('refuses a tampered value (ciphertext or header changed)', async () => {
    const cipher = new TokenCipher(key(1));
    const parts = (await cipher.seal('genesys', token)).split('.');
    const flipped = Buffer.from(parts[3]!, 'base64url');
    flipped[0]! ^= 1;
    expect(await cipher.open('genesys', [parts[0], parts[1], parts[2], flipped.toString('base64url'), parts[4]].join('.'))).toEqual({
      failure: 'undecryptable',
    });
    const header = Buffer.from(JSON.stringify({ alg: 'dir', enc: 'A256GCM', kid: cipher.keyId, x: 1 })).toString('base64url');
    expect(await cipher.open('genesys', [header, ...parts.slice(1)].join('.'))).toEqual({ failure: 'undecryptable' });
    expect(await cipher.open('genesys', 'not a jwe')).toEqual({ failure: 'malformed' });
    expect(await cipher.open('genesys', token.value)).toEqual({ failure: 'malformed' });
  });

  it("refuses another upstream's entry copied under this upstream's key", async () => {
    const cipher = new TokenCipher(key(1));
    expect(await cipher.open('servicenow', await cipher.seal('genesys', token))).toEqual({ failure: 'malformed' });
  });

  it('needs a 32-byte key and fingerprints it without revealing it', () => {
    expect(() => new TokenCipher(new Uint8Array(16))).toThrow(/32 bytes/);
    const a = new TokenCipher(key(1));
    expect(a.keyId).toMatch(/^[A-Za-z0-9_-]{12}$/);
    expect(a.keyId).toBe(new TokenCipher(key(1)).keyId);
    expect(a.keyId).not.toBe(new TokenCipher(key(2)).keyId);
  });
});
