import fs from 'node:fs';
import { parseDocument } from 'yaml';
import { interpolateEnv } from './env-interpolation.js';

/**
 * The Genesys org names CONNECTIONS_FILE declares, in order, for tools that need only the names (the
 * Data Action export): the file's `genesys[].name` values with `${VAR}` replaced, without reading or
 * checking anything else (no secret has to be set). Throws when the file cannot be read or parsed.
 */
export function orgNamesIn(file: string, env: NodeJS.ProcessEnv): string[] {
  const doc = parseDocument(fs.readFileSync(file, 'utf8'));
  // First line only: the rest quotes the file, which may hold a secret written into it.
  if (doc.errors.length > 0) throw new Error(doc.errors[0]!.message.split('\n')[0]);
  const data = doc.toJS() as { genesys?: unknown } | null;
  const orgs = Array.isArray(data?.genesys) ? (data.genesys as unknown[]) : [];
  return orgs.flatMap((org) => {
    const name = (org as { name?: unknown } | null)?.name;
    return typeof name === 'string' ? [String(interpolateEnv(name, env, '', []))] : [];
  });
}
