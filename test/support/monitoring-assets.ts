import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

/** The repository's root, where deploy/ and README.md are. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const RULES_FILE = 'deploy/prometheus/trunkgate-rules.yml';
export const RULES_TEST_FILE = 'deploy/prometheus/trunkgate-rules.test.yml';
export const DASHBOARD_FILE = 'deploy/grafana/trunkgate.json';

export interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface DashboardPanel {
  id: number;
  type: string;
  title: string;
  description?: string;
  datasource?: { type: string; uid: string };
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: Array<{ expr: string; refId: string; datasource?: { type: string; uid: string } }>;
}

export interface Dashboard {
  __inputs: Array<{ name: string; type: string; pluginId: string }>;
  templating: { list: Array<{ name: string; type: string; query: unknown; datasource?: { uid: string } }> };
  panels: DashboardPanel[];
  schemaVersion: number;
  uid: string;
}

export function readRules(): AlertRule[] {
  const doc = parseYaml(readFileSync(path.join(ROOT, RULES_FILE), 'utf8')) as { groups: Array<{ rules: AlertRule[] }> };
  return doc.groups.flatMap((g) => g.rules);
}

export function readDashboard(): Dashboard {
  return JSON.parse(readFileSync(path.join(ROOT, DASHBOARD_FILE), 'utf8')) as Dashboard;
}

/** Every PromQL expression of the dashboard: panel queries and template variable queries. */
export function dashboardExpressions(d: Dashboard): string[] {
  const panels = d.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
  const variables = d.templating.list.flatMap((v) =>
    typeof v.query === 'object' && v.query !== null ? [(v.query as { query: string }).query] : [],
  );
  return [...panels, ...variables];
}

/**
 * The dashboard's expressions as plain PromQL: Grafana's variables replaced by values Prometheus accepts,
 * and a variable's `label_values(selector, label)` reduced to its selector.
 */
export function asPlainPromql(expr: string): string {
  return expr
    .replaceAll('$__rate_interval', '5m')
    .replace(/\$(job|instance)\b/g, '.*')
    .replace(/^label_values\((.+), *[a-z_]+\)$/, '$1');
}

/** The metric names an expression reads (every trunkgate metric is `trunkgate_…`; label names never are). */
export function metricNamesIn(expr: string): string[] {
  return [...new Set(expr.match(/\btrunkgate_[a-z0-9_]+/g) ?? [])];
}

/** `# TYPE` lines of a scrape: family name → type. */
export function familiesOf(scrape: string): Map<string, string> {
  const families = new Map<string, string>();
  for (const [, name, type] of scrape.matchAll(/^# TYPE (\S+) (\S+)$/gm)) families.set(name!, type!);
  return families;
}

/** The family a series name belongs to: itself, or a histogram's (summary's) `_bucket` / `_sum` / `_count`. */
export function familyOf(name: string, families: Map<string, string>): string | undefined {
  if (families.has(name)) return name;
  const base = name.replace(/_(bucket|sum|count)$/, '');
  const type = families.get(base);
  return type === 'histogram' || (type === 'summary' && !name.endsWith('_bucket')) ? base : undefined;
}

/** Whether the scrape has at least one sample of the series name (not just its HELP and TYPE). */
export function hasSample(scrape: string, name: string): boolean {
  return new RegExp(`^${name}(\\{[^}]*\\})? `, 'm').test(scrape);
}

/** GitHub's anchors of a Markdown file's headings (lower case, punctuation dropped, spaces to hyphens). */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  for (const line of markdown.split('\n')) {
    const heading = /^#{1,6} (.+)$/.exec(line)?.[1];
    if (heading)
      anchors.add(
        heading
          .trim()
          .toLowerCase()
          .replace(/[^\p{L}\p{N} _-]/gu, '')
          .replace(/ /g, '-'),
      );
  }
  return anchors;
}

/** promtool's answer, or undefined when it is not on PATH. */
export function promtool(args: string[], input?: string): { status: number | null; output: string } | undefined {
  const run = spawnSync('promtool', args, { cwd: ROOT, input, encoding: 'utf8', timeout: 60_000 });
  if ((run.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') return undefined;
  if (run.error) throw run.error;
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}
