const ENV_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** A variable's value, or undefined when unset. */
export type EnvLookup = (name: string) => string | undefined;

/**
 * Replaces `${VAR}` and `${VAR:-default}` in every string of a parsed YAML document (mappings/incident.yaml,
 * CALLERS_FILE, CONNECTIONS_FILE) with the environment's value. An unset or empty variable without a default is a problem,
 * reported with the JSON Pointer of the value (never the value itself: it may be about to hold a secret).
 * `lookup` replaces the plain reading of `env` (CONNECTIONS_FILE reads `VAR_FILE` too, as every secret does).
 */
export function interpolateEnv(
  value: unknown,
  env: NodeJS.ProcessEnv,
  at: string,
  problems: string[],
  lookup: EnvLookup = (name) => env[name],
): unknown {
  if (typeof value === 'string') {
    return value.replace(ENV_REF, (_m, name: string, fallback: string | undefined) => {
      const v = lookup(name);
      if (v !== undefined && v !== '') return v;
      if (fallback !== undefined) return fallback;
      problems.push(`${at || '/'}: environment variable ${name} is not set (write \${${name}:-default} to allow that)`);
      return '';
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolateEnv(v, env, `${at}/${i}`, problems, lookup));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateEnv(v, env, `${at}/${k}`, problems, lookup)]));
  }
  return value;
}
