import type { RouteConfig, RouteMatch } from './connections.js';

/** What a route is matched against: the org, and the trunk an incident is about (none for credentials). */
export type RouteSubject = { org: string } & Omit<RouteMatch, 'org'>;

/** A whole-string, case-insensitive match where `*` is any run of characters and `?` any one character. */
export function globMatch(pattern: string, value: string): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`, 'is').test(value);
}

/** The first route whose every `match` key matches the subject (a key the subject lacks does not match). */
export function matchRoute(routes: readonly RouteConfig[], subject: RouteSubject): RouteConfig | undefined {
  return routes.find((route) =>
    Object.entries(route.match).every(([key, pattern]) => {
      const value = subject[key as keyof RouteSubject];
      return typeof pattern === 'string' && typeof value === 'string' && globMatch(pattern, value);
    }),
  );
}
