import fs from 'node:fs';
import { parseDocument } from 'yaml';
import { CONNECTION_NAME, DEFAULT_CONNECTION } from './connections.js';
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

/**
 * Why `org` is not an org trunkgate serves with this environment, or undefined when it is: one of
 * CONNECTIONS_FILE's orgs when that is set, else the one org, `default`. The message lists the orgs
 * there are. Throws (naming CONNECTIONS_FILE) when the file cannot be read or parsed.
 */
export function unknownOrgProblem(org: string, env: NodeJS.ProcessEnv): string | undefined {
  const file = env.CONNECTIONS_FILE;
  let orgs: string[];
  try {
    orgs = file ? orgNamesIn(file, env) : [DEFAULT_CONNECTION];
  } catch (err) {
    throw new Error(`CONNECTIONS_FILE (${file}) cannot be read: ${(err as Error).message}`, { cause: err });
  }
  if (orgs.includes(org)) return undefined;
  const why = CONNECTION_NAME.test(org) ? 'is not configured' : 'is not an org name';
  const where = file
    ? `the orgs of CONNECTIONS_FILE (${file}): ${orgs.join(', ') || 'none'}`
    : `without CONNECTIONS_FILE the only org is ${DEFAULT_CONNECTION}`;
  return `--org "${org}" ${why}; ${where}`;
}
