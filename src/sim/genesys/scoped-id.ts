import { createHash } from 'node:crypto';

/**
 * A UUID (name-based, version 5 layout) derived from an org's name and a key, so an org's entities get
 * ids as distinct as real Genesys UUIDs yet the same on every run: tests and benchmarks can address them.
 */
export function scopedId(org: string, key: string): string {
  const h = createHash('sha1').update(`trunkgate-sim\u0000${org}\u0000${key}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}
