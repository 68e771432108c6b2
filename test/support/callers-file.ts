import fs from 'node:fs';
import path from 'node:path';
import { tempDataDir } from './test-config.js';

/** Writes a CALLERS_FILE into a fresh folder (removed when the test process exits) and returns its path. */
export function writeCallersFile(text: string): string {
  const file = path.join(tempDataDir(), 'callers.yaml');
  fs.writeFileSync(file, text);
  return file;
}
