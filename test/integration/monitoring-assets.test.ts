import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { scrapeTrunkgate } from '../support/metrics-scrape.js';
import {
  asPlainPromql,
  dashboardExpressions,
  familiesOf,
  familyOf,
  hasSample,
  headingAnchors,
  metricNamesIn,
  promtool,
  readDashboard,
  readRules,
  ROOT,
  RULES_FILE,
  RULES_TEST_FILE,
} from '../support/monitoring-assets.js';

// A lone replica (no REDIS_URL, SQLite) is the smallest deployment: what it exposes, every deployment does.
let scrape = '';
beforeAll(async () => {
  scrape = await scrapeTrunkgate();
}, 60_000);

const rules = readRules();
const dashboard = readDashboard();

/** Names an expression reads that the scrape does not declare (a histogram's _bucket/_sum/_count count as its own). */
function undeclared(exprs: string[]): string[] {
  const families = familiesOf(scrape);
  return [...new Set(exprs.flatMap(metricNamesIn))].filter((name) => !familyOf(name, families));
}

describe('deploy/: the dashboard and the alert rules read what trunkgate exposes', () => {
  it('finds the names it checks (the parsing itself works)', () => {
    expect(metricNamesIn('sum by (le) (rate(trunkgate_http_request_duration_seconds_bucket{job=~"$job"}[5m])) / trunkgate_leader')).toEqual(
      ['trunkgate_http_request_duration_seconds_bucket', 'trunkgate_leader'],
    );
    expect(
      undeclared([
        'trunkgate_leader',
        'trunkgate_http_request_duration_seconds_count',
        'trunkgate_leader_bucket',
        'trunkgate_no_such_metric',
      ]),
    ).toEqual(['trunkgate_leader_bucket', 'trunkgate_no_such_metric']);
  });

  it('every metric the dashboard queries exists on /metrics', () => {
    const exprs = dashboardExpressions(dashboard);
    expect(exprs.length).toBeGreaterThan(30);
    expect(undeclared(exprs)).toEqual([]);
  });

  it('every metric the alert rules query exists on /metrics, with a sample from the start (increase() needs a first 0)', () => {
    const names = [...new Set(rules.flatMap((r) => metricNamesIn(r.expr)))];
    expect(names.length).toBeGreaterThan(8);
    expect(undeclared(rules.map((r) => r.expr))).toEqual([]);
    expect(names.filter((name) => !hasSample(scrape, name))).toEqual([]);
  });

  it('a lone replica reports itself the leader of the trunk monitor', () => {
    expect(scrape).toMatch(/^trunkgate_leader\{lease="trunk-monitor"\} 1$/m);
  });

  it('counts the trunks by state, every state reported', () => {
    for (const state of ['registered', 'connected', 'rejected', 'dropped', 'unknown'])
      expect(scrape).toMatch(new RegExp(`^trunkgate_trunks\\{state="${state}"\\} \\d+$`, 'm'));
    // The simulated org: six EXTERNAL trunks, one of them rejected by the scrape's own failure.
    expect(scrape).toMatch(/^trunkgate_trunks\{state="rejected"\} 1$/m);
  });

  it('names every metric as Prometheus wants: only counters end in _total, every family has a HELP', () => {
    const families = familiesOf(scrape);
    expect([...families].filter(([name, type]) => name.endsWith('_total') !== (type === 'counter'))).toEqual([]);
    expect([...families.keys()].filter((name) => !new RegExp(`^# HELP ${name} \\S`, 'm').test(scrape))).toEqual([]);
    expect([...families.keys()].filter((name) => !name.startsWith('trunkgate_'))).toEqual([]);
  });

  it('the README lists every trunkgate metric (process metrics aside)', () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const own = [...familiesOf(scrape).keys()].filter((name) => !/^trunkgate_(process|nodejs)_/.test(name));
    expect(own.filter((name) => !readme.includes(name))).toEqual([]);
  });

  it('each rule has a severity, a summary, a description and a one-line runbook pointing to a README section', () => {
    const anchors = headingAnchors(readFileSync(path.join(ROOT, 'README.md'), 'utf8'));
    for (const rule of rules) {
      expect(['warning', 'critical'], rule.alert).toContain(rule.labels?.severity);
      for (const key of ['summary', 'description', 'runbook'])
        expect(rule.annotations?.[key], `${rule.alert} ${key}`).toMatch(/^[^\n]{20,}$/);
      const anchor = /README\.md#([a-z0-9_-]+)$/.exec(rule.annotations!.runbook!)?.[1];
      expect(anchor && anchors.has(anchor), `${rule.alert}: runbook ends with README.md#<a heading that exists>`).toBe(true);
    }
    expect(rules.map((r) => r.alert)).toEqual(
      expect.arrayContaining([
        'TrunkgateNoLeader',
        'TrunkgateOutboxBacklogGrowing',
        'TrunkgateCredentialsFailing',
        'TrunkgateNotificationsDisconnected',
        'TrunkgateUpstreamErrors',
        'TrunkgateHelpdeskAlertsFailing',
        'TrunkgateGenesysPermissionMissing',
      ]),
    );
  });

  it('the dashboard takes its data source as an import input or a variable, and has job and instance variables', () => {
    expect(dashboard.__inputs).toEqual([expect.objectContaining({ name: 'DS_PROMETHEUS', type: 'datasource', pluginId: 'prometheus' })]);
    const variables = new Map(dashboard.templating.list.map((v) => [v.name, v]));
    expect(variables.get('DS_PROMETHEUS')).toMatchObject({ type: 'datasource', query: 'prometheus' });
    for (const name of ['job', 'instance'])
      expect(variables.get(name)).toMatchObject({ type: 'query', datasource: { uid: '${DS_PROMETHEUS}' } });
    for (const panel of dashboard.panels.filter((p) => p.type !== 'row')) {
      expect(panel.datasource, panel.title).toEqual({ type: 'prometheus', uid: '${DS_PROMETHEUS}' });
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      for (const t of panel.targets!) expect(t.datasource?.uid, panel.title).toBe('${DS_PROMETHEUS}');
      expect(panel.description, panel.title).toBeTruthy();
    }
  });

  it('the dashboard panels have unique ids and do not overlap on the 24-column grid', () => {
    const panels = dashboard.panels;
    expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
    const taken = new Set<string>();
    for (const p of panels) {
      expect(p.gridPos.x + p.gridPos.w, p.title).toBeLessThanOrEqual(24);
      for (let x = p.gridPos.x; x < p.gridPos.x + p.gridPos.w; x++)
        for (let y = p.gridPos.y; y < p.gridPos.y + p.gridPos.h; y++) {
          expect(taken.has(`${x},${y}`), `${p.title} overlaps at ${x},${y}`).toBe(false);
          taken.add(`${x},${y}`);
        }
    }
  });
});

const hasPromtool = promtool(['--version']) !== undefined;
if (!hasPromtool && process.env.CI)
  throw new Error('promtool must be on PATH in CI (.ci/run installs it): the metrics and rules cannot be checked without it');
if (!hasPromtool) process.stderr.write('promtool is not on PATH: skipping the promtool checks of this file (.ci/run installs it)\n');

describe.skipIf(!hasPromtool)('promtool', () => {
  it('check metrics: /metrics of a running trunkgate follows the naming rules', () => {
    const run = promtool(['check', 'metrics'], scrape)!;
    expect(run.output).toBe('');
    expect(run.status).toBe(0);
  });

  it('check metrics catches what it is meant to catch (a gauge named like a counter)', () => {
    const run = promtool(['check', 'metrics'], '# HELP x_total A gauge.\n# TYPE x_total gauge\nx_total 1\n')!;
    expect(run.output).toContain('non-counter metrics should not have "_total" suffix');
  });

  it('check rules and test rules: the alert rules parse and behave as their tests say', () => {
    const check = promtool(['check', 'rules', RULES_FILE])!;
    expect(check.output).toContain('SUCCESS');
    expect(check.status).toBe(0);
    const test = promtool(['test', 'rules', RULES_TEST_FILE])!;
    expect(test.output).toContain('SUCCESS');
    expect(test.status).toBe(0);
  });

  it("every dashboard query is valid PromQL (checked as recording rules, Grafana's variables filled in)", async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { stringify } = await import('yaml');
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'trunkgate-dashboard-')), 'queries.yml');
    const queries = dashboardExpressions(dashboard).map((expr, i) => ({
      record: `trunkgate_dashboard:query_${i}`,
      expr: asPlainPromql(expr),
    }));
    writeFileSync(file, stringify({ groups: [{ name: 'dashboard', rules: queries }] }));
    const run = promtool(['check', 'rules', file])!;
    expect(run.output).toContain(`SUCCESS: ${queries.length} rules found`);
    expect(run.status).toBe(0);
  });
});
