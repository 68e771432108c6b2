import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { VERSION } from '../../src/meta/version.js';

describe('VERSION', () => {
  it('is the version of package.json (read relative to src/meta/, as from dist/meta/)', () => {
    const pkg = JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(VERSION).toBe(pkg.version);
    expect(VERSION).not.toBe('0.0.0');
  });
});
