import type { RouteConfig, RouteMatch } from './connections.js';

/** What an incident is about, as routes see it: its org and, for a trunk or trunk base, what is known of the trunk. */
export interface RouteSubject {
  org: string;
  trunkId?: string;
  trunkName?: string;
  trunkBaseId?: string;
  edgeId?: string;
  edgeName?: string;
}

/**
 * True when `value` matches `pattern` as a whole: `*` is any run of characters (none included), `?`
 * exactly one, everything else itself, letter case ignored. Walked without a regular expression, so a
 * pattern from the file cannot be turned into a slow one: at most pattern × value steps.
 */
export function globMatch(pattern: string, value: string): boolean {
  const p = [...pattern.toLowerCase()];
  const v = [...value.toLowerCase()];
  let pi = 0;
  let vi = 0;
  // The last `*` seen and the value position it was tried at: on a mismatch it takes one more character.
  let star = -1;
  let starAt = 0;
  while (vi < v.length) {
    if (pi < p.length && (p[pi] === '?' || (p[pi] !== '*' && p[pi] === v[vi]))) {
      pi++;
      vi++;
    } else if (pi < p.length && p[pi] === '*') {
      star = pi++;
      starAt = vi;
    } else if (star >= 0) {
      pi = star + 1;
      vi = ++starAt;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === '*') pi++;
  return pi === p.length;
}

/** The first route whose every `match` key matches the subject; a key the subject lacks does not match. */
export function matchRoute(routes: readonly RouteConfig[], subject: RouteSubject): RouteConfig | undefined {
  return routes.find((route) =>
    (Object.entries(route.match) as Array<[keyof RouteMatch, string | undefined]>).every(([key, pattern]) => {
      if (pattern === undefined) return true;
      const value = subject[key];
      return value !== undefined && globMatch(pattern, value);
    }),
  );
}
