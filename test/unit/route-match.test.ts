import { describe, expect, it } from 'vitest';
import type { RouteConfig } from '../../src/config/connections.js';
import { globMatch, matchRoute, type RouteSubject } from '../../src/config/route-match.js';

describe('globMatch', () => {
  it('matches the whole value: * any run (none included), ? exactly one character, the rest literally', () => {
    expect(globMatch('Lumen*', 'Lumen SIP - NYC')).toBe(true);
    expect(globMatch('Lumen*', 'Lumen')).toBe(true);
    expect(globMatch('Lumen', 'Lumen SIP')).toBe(false);
    expect(globMatch('*NYC', 'Lumen SIP - NYC')).toBe(true);
    expect(globMatch('*NYC', 'Lumen SIP - NYC 2')).toBe(false);
    expect(globMatch('*SIP*', 'Lumen SIP - NYC')).toBe(true);
    expect(globMatch('edge-?-syd', 'edge-1-syd')).toBe(true);
    expect(globMatch('edge-?-syd', 'edge-12-syd')).toBe(false);
    expect(globMatch('edge-?-syd', 'edge--syd')).toBe(false);
    expect(globMatch('a*b*c', 'a-b-b-c')).toBe(true);
    expect(globMatch('a*b*c', 'a-b-b-d')).toBe(false);
    expect(globMatch('*', '')).toBe(true);
    expect(globMatch('', '')).toBe(true);
    expect(globMatch('', 'x')).toBe(false);
    expect(globMatch('?', '')).toBe(false);
  });

  it('ignores letter case and takes regular-expression characters literally', () => {
    expect(globMatch('lumen sip*', 'LUMEN SIP - NYC')).toBe(true);
    expect(globMatch('EDGE-SYD-*', 'edge-syd-01')).toBe(true);
    expect(globMatch('a.c', 'abc')).toBe(false);
    expect(globMatch('(a)+[b]', '(a)+[b]')).toBe(true);
  });

  it('stays fast on a pattern that backtracks', () => {
    const started = performance.now();
    expect(globMatch(`${'*a'.repeat(20)}b`, 'a'.repeat(5000))).toBe(false);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

const routes: RouteConfig[] = [
  { match: { org: 'apac', trunkName: 'Lumen*' }, servicenow: 'acme', fields: { assignment_group: 'Lumen APAC' } },
  { match: { trunkBaseId: 'base-lumen' }, fields: { cmdb_ci: 'BYOC Lumen' } },
  { match: { edgeId: 'edge-id-7' }, fields: { assignment_group: 'Edge 7' } },
  { match: { edgeName: 'edge-?-syd*' }, fields: { assignment_group: 'Sydney' } },
  { match: { trunkId: 'trunk-9' }, fields: { urgency: 1 } },
  { match: { org: 'emea' }, servicenow: 'acme-eu' },
];

const trunk = (extra: Partial<RouteSubject>): RouteSubject => ({
  org: 'other',
  trunkId: 'trunk-1',
  trunkName: 'Carrier X',
  trunkBaseId: 'base-x',
  edgeId: 'edge-id-1',
  edgeName: 'edge-main',
  ...extra,
});

describe('matchRoute', () => {
  it('matches on the org alone', () => {
    expect(matchRoute(routes, { org: 'emea' })).toBe(routes[5]);
    expect(matchRoute(routes, trunk({ org: 'emea' }))).toBe(routes[5]);
  });

  it('needs every key a route names: org and trunk name glob together', () => {
    expect(matchRoute(routes, trunk({ org: 'apac', trunkName: 'Lumen SIP - SYD' }))).toBe(routes[0]);
    expect(matchRoute(routes, trunk({ org: 'apac', trunkName: 'Telstra SIP' }))).toBeUndefined();
    expect(matchRoute(routes, trunk({ org: 'emea-2', trunkName: 'Lumen SIP - SYD' }))).toBeUndefined();
  });

  it('matches a trunk base, an Edge id, an Edge name glob and a trunk id', () => {
    expect(matchRoute(routes, trunk({ trunkBaseId: 'base-lumen' }))).toBe(routes[1]);
    expect(matchRoute(routes, { org: 'other', trunkBaseId: 'base-lumen' })).toBe(routes[1]);
    expect(matchRoute(routes, trunk({ edgeId: 'edge-id-7' }))).toBe(routes[2]);
    expect(matchRoute(routes, trunk({ edgeName: 'edge-3-syd-b' }))).toBe(routes[3]);
    expect(matchRoute(routes, trunk({ edgeName: 'edge-3-mel' }))).toBeUndefined();
    expect(matchRoute(routes, trunk({ trunkId: 'trunk-9' }))).toBe(routes[4]);
  });

  it('ignores letter case', () => {
    expect(matchRoute(routes, trunk({ org: 'APAC', trunkName: 'LUMEN sip' }))).toBe(routes[0]);
    expect(matchRoute(routes, trunk({ edgeName: 'EDGE-3-SYD' }))).toBe(routes[3]);
    expect(matchRoute(routes, trunk({ trunkBaseId: 'BASE-LUMEN' }))).toBe(routes[1]);
  });

  it('takes the first route that matches', () => {
    // Lumen in APAC on an Edge in Sydney matches routes 0, 1 and 3: route 0 wins.
    const subject = trunk({ org: 'apac', trunkName: 'Lumen SIP', trunkBaseId: 'base-lumen', edgeName: 'edge-1-syd' });
    expect(matchRoute(routes, subject)).toBe(routes[0]);
    expect(matchRoute(routes.slice(1), subject)).toBe(routes[1]);
    expect(matchRoute([...routes].reverse(), { ...subject, org: 'emea' })).toBe(routes[5]);
    expect(matchRoute([...routes].reverse(), subject)).toBe(routes[3]);
  });

  it('does not match a key the subject lacks (the credentials incident has no trunk)', () => {
    const credentials: RouteSubject = { org: 'apac' };
    expect(matchRoute(routes, credentials)).toBeUndefined();
    expect(matchRoute([{ match: { trunkName: '*' } }], credentials)).toBeUndefined();
    expect(matchRoute([{ match: { trunkName: '*' } }], { org: 'apac', trunkName: 'any' })).toEqual({ match: { trunkName: '*' } });
    expect(matchRoute([], trunk({}))).toBeUndefined();
  });
});
