import fs from 'node:fs';

/** The package version, read once (src/meta/ and dist/meta/ both sit two levels below package.json). */
export const VERSION: string = (() => {
  try {
    return (JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
})();
