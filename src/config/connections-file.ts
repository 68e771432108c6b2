import { parseDocument } from 'yaml';
import { schemaCheck, type SchemaCheckResult } from '../validation/compile.js';
import { problemLine } from '../validation/error-details.js';
import {
  GENESYS_RATE_LIMIT_DEFAULT,
  GENESYS_RATE_LIMIT_RANGE,
  POLL_INTERVAL_RANGE,
  SERVICENOW_RATE_LIMIT_RANGE,
  TOKEN_REFRESH_BUFFER_RANGE,
  scopeRefusal,
  serviceNowAuthOf,
} from './connection-rules.js';
import {
  CONNECTION_NAME,
  type ConnectionsConfig,
  type GenesysOrgConfig,
  type RouteConfig,
  type ServiceNowInstanceConfig,
} from './connections.js';
import { connectionsMessages, connectionsSchema, type FileInstance, type FileOrg, type FileRoute } from './connections-schema.js';
import { interpolateEnv, type EnvLookup } from './env-interpolation.js';
import { parseUrl } from './env-reader.js';
import { isRecord, wholeNumber, withoutEmpty, withoutFlagged, yesNo } from './file-values.js';
import { INCIDENT_FIELD_NAME, RESERVED_INCIDENT_FIELDS } from './incident-fields.js';
import { isGenesysRegion, regionUrls } from './regions.js';
import { globMatch } from './route-match.js';

/** What an entry gets for a setting it leaves out: the global settings (TOKEN_REFRESH_BUFFER_MS, MONITOR_*). */
export interface ConnectionDefaults {
  tokenRefreshBufferMs: number;
  monitor: { pollIntervalMs: number; notifications: boolean };
}

let compiled: ((data: unknown) => SchemaCheckResult<unknown>) | undefined;
/** Compiled on first use: most deployments have no CONNECTIONS_FILE. */
const checkFile = (data: unknown) => {
  compiled ??= schemaCheck<unknown>(connectionsSchema, { override: connectionsMessages });
  return compiled(data);
};

const entriesOf = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const fieldName = new RegExp(INCIDENT_FIELD_NAME);

/** The entry's name when it is one (for messages), else ''. */
const nameOf = (entry: unknown): string => (isRecord(entry) && typeof entry.name === 'string' ? entry.name : '');

/** Reads the entries of a file the schema has checked; `problems` collects the rest, each starting with its JSON Pointer. */
class ConnectionsReader {
  readonly problems: string[] = [];
  /** Names as given, by position ('' when there is none): a reference to an entry with other problems is not a second problem. */
  readonly orgNames: string[];
  readonly instanceNames: string[];

  constructor(
    data: Record<string, unknown>,
    private readonly defaults: ConnectionDefaults,
    /** JSON Pointers the schema refused. */
    private readonly flagged: ReadonlySet<string>,
  ) {
    this.orgNames = entriesOf(data.genesys).map(nameOf);
    this.instanceNames = entriesOf(data.servicenow).map(nameOf);
  }

  /** Names are unique among the orgs and among the instances: they are keys in URLs, labels and correlation ids. */
  checkUnique(): void {
    this.unique(this.orgNames, 'genesys', 'org');
    this.unique(this.instanceNames, 'servicenow', 'instance');
  }

  private unique(names: string[], key: string, what: string): void {
    const first = new Map<string, number>();
    names.forEach((name, i) => {
      if (name === '') return;
      const seen = first.get(name);
      if (seen === undefined) first.set(name, i);
      else this.problems.push(`/${key}/${i}/name: "${name}" is also the name of /${key}/${seen}; each ${what} needs its own name`);
    });
  }

  org(entry: FileOrg, at: string): GenesysOrgConfig {
    const problems = this.problems;
    const given = (field: keyof FileOrg) => entry[field] !== undefined || this.flagged.has(`${at}/${field}`);
    if (!given('region') && !(given('loginUrl') && given('apiUrl'))) problems.push(`${at}: give region, or both loginUrl and apiUrl`);
    // As with GENESYS_REGION: an explicit URL overrides the region's.
    const fromRegion = entry.region !== undefined && isGenesysRegion(entry.region) ? regionUrls(entry.region) : undefined;
    const url = (field: 'loginUrl' | 'apiUrl'): string => {
      const value = entry[field];
      if (value === undefined) return fromRegion?.[field] ?? '';
      const checked = parseUrl(value);
      if (checked.problem !== undefined) problems.push(`${at}/${field}: ${checked.problem}`);
      return checked.url ?? '';
    };
    const listed = Array.isArray(entry.requiredScopes);
    const scopes = (listed ? (entry.requiredScopes as string[]) : String(entry.requiredScopes ?? '').split(','))
      .map((s) => s.trim())
      .filter(Boolean);
    scopes.forEach((scope, i) => {
      const refusal = scopeRefusal(scope);
      if (refusal) problems.push(`${at}/requiredScopes${listed ? `/${i}` : ''}: ${refusal}`);
    });
    const monitor = entry.monitor ?? {};
    const globalMonitor = this.defaults.monitor;
    return {
      name: entry.name,
      region: entry.region,
      loginUrl: url('loginUrl'),
      apiUrl: url('apiUrl'),
      clientId: entry.clientId,
      clientSecret: entry.clientSecret,
      tokenRefreshBufferMs:
        wholeNumber(entry.tokenRefreshBufferMs, `${at}/tokenRefreshBufferMs`, TOKEN_REFRESH_BUFFER_RANGE, problems) ??
        this.defaults.tokenRefreshBufferMs,
      requiredScopes: scopes,
      rateLimitPerMinute:
        wholeNumber(entry.rateLimitPerMinute, `${at}/rateLimitPerMinute`, GENESYS_RATE_LIMIT_RANGE, problems) ?? GENESYS_RATE_LIMIT_DEFAULT,
      servicenow: this.instanceOfOrg(entry, at),
      monitor: {
        enabled: yesNo(monitor.enabled, `${at}/monitor/enabled`, true, problems),
        pollIntervalMs:
          wholeNumber(monitor.pollIntervalMs, `${at}/monitor/pollIntervalMs`, POLL_INTERVAL_RANGE, problems) ??
          globalMonitor.pollIntervalMs,
        notifications: yesNo(monitor.notifications, `${at}/monitor/notifications`, globalMonitor.notifications, problems),
      },
    };
  }

  /** The org's `servicenow`; may be left out when the file lists exactly one instance. */
  private instanceOfOrg(entry: FileOrg, at: string): string {
    if (entry.servicenow === undefined) {
      // Refused, or no instance at all (a problem of its own): nothing more to say here.
      if (this.flagged.has(`${at}/servicenow`) || this.instanceNames.length === 0) return '';
      if (this.instanceNames.length === 1) return this.instanceNames[0]!;
      this.problems.push(`${at}/servicenow: is required when the file lists several instances (${this.listed(this.instanceNames)})`);
      return '';
    }
    if (!this.instanceNames.includes(entry.servicenow))
      this.problems.push(
        `${at}/servicenow: names no instance of the file ("${entry.servicenow}"; instances: ${this.listed(this.instanceNames)})`,
      );
    return entry.servicenow;
  }

  instance(entry: FileInstance, at: string): ServiceNowInstanceConfig {
    const problems = this.problems;
    const url = entry.instanceUrl === undefined ? { url: '' } : parseUrl(entry.instanceUrl);
    if (url.problem !== undefined) problems.push(`${at}/instanceUrl: ${url.problem}`);
    const wording = {
      name: (field: string) => field,
      problem: (field: string, why: string) => `${at}/${field}: ${why}`,
      none: `${at}: has no credentials: give username and password (Basic), clientId and clientSecret (OAuth client_credentials), or all four (OAuth password grant)`,
    };
    // A credential the schema refused was given: "no credentials" or "clientId is required" would be a second, wrong problem.
    const refused = (['clientId', 'clientSecret', 'username', 'password'] as const).some((f) => this.flagged.has(`${at}/${f}`));
    const auth = serviceNowAuthOf(entry, wording, refused ? [] : problems);
    return {
      name: entry.name,
      instanceUrl: url.url ?? '',
      auth,
      tokenRefreshBufferMs:
        wholeNumber(entry.tokenRefreshBufferMs, `${at}/tokenRefreshBufferMs`, TOKEN_REFRESH_BUFFER_RANGE, problems) ??
        this.defaults.tokenRefreshBufferMs,
      rateLimitPerHour: wholeNumber(entry.rateLimitPerHour, `${at}/rateLimitPerHour`, SERVICENOW_RATE_LIMIT_RANGE, problems),
    };
  }

  route(entry: FileRoute, at: string): RouteConfig {
    const match = entry.match ?? {};
    if (match.org !== undefined && !this.orgNames.some((name) => name !== '' && globMatch(match.org!, name)))
      this.problems.push(`${at}/match/org: names no org of the file ("${match.org}"; orgs: ${this.listed(this.orgNames)})`);
    if (entry.servicenow !== undefined && !this.instanceNames.includes(entry.servicenow))
      this.problems.push(
        `${at}/servicenow: names no instance of the file ("${entry.servicenow}"; instances: ${this.listed(this.instanceNames)})`,
      );
    for (const field of Object.keys(entry.fields ?? {})) {
      if (!fieldName.test(field))
        this.problems.push(
          `${at}/fields/${field}: is not a ServiceNow field name (lower-case letters, digits and _, starting with a letter)`,
        );
      else if (RESERVED_INCIDENT_FIELDS.has(field))
        this.problems.push(`${at}/fields/${field}: trunkgate sets ${field} itself; remove it from the route`);
    }
    return {
      match: { ...match },
      ...(entry.servicenow === undefined ? {} : { servicenow: entry.servicenow }),
      ...(entry.fields === undefined ? {} : { fields: { ...entry.fields } }),
    };
  }

  /** The valid names, once each, for a message. */
  private listed(names: string[]): string {
    return [...new Set(names.filter((n) => CONNECTION_NAME.test(n)))].join(', ') || 'none';
  }
}

/** `/genesys/0/clientId: …` → `/genesys/0 (emea)/clientId: …`, as CALLERS_FILE problems name their entry. */
function labeller(reader: ConnectionsReader): (problem: string) => string {
  return (problem) =>
    problem.replace(/^\/(genesys|servicenow)\/(\d+)(?=[/:])/, (at, key: string, index: string) => {
      const name = (key === 'genesys' ? reader.orgNames : reader.instanceNames)[Number(index)] ?? '';
      return CONNECTION_NAME.test(name) ? `${at} (${name})` : at;
    });
}

/** The pointer a problem line starts with. */
const pointerOf = (problem: string) => problem.slice(0, problem.indexOf(': '));

/**
 * Parses CONNECTIONS_FILE text: `${VAR}` / `${VAR:-default}` are replaced in string values after YAML
 * parsing (`lookup` reads `VAR`, or the file `VAR_FILE` names), then the schema and the cross-checks run.
 * Every problem is returned, each with the JSON Pointer of its value (and the entry's name); a secret's
 * value never is. The connections mean something only when there is no problem.
 */
export function parseConnectionsFile(
  text: string,
  options: { env: NodeJS.ProcessEnv; lookup?: EnvLookup; defaults: ConnectionDefaults },
): { connections: ConnectionsConfig; problems: string[] } {
  const connections: ConnectionsConfig = { fromFile: true, orgs: [], instances: [], routes: [] };
  const doc = parseDocument(text, { prettyErrors: true });
  // First lines only: the rest quotes the file, which may hold a secret written into it.
  if (doc.errors.length > 0) return { connections, problems: doc.errors.map((e) => e.message.split('\n')[0]!) };
  const unset: string[] = [];
  const interpolated = interpolateEnv(doc.toJS(), options.env, '', unset, options.lookup);
  const data = isRecord(interpolated)
    ? Object.fromEntries(
        Object.entries(interpolated).map(([k, v]) => [k, Array.isArray(v) ? v.map((e) => withoutEmpty(e, ['fields'])) : v]),
      )
    : interpolated;
  const checked = checkFile(data);
  // A `${VAR}` that is not set is reported once, as such, rather than again as a missing or short value.
  const unsetAt = new Set(unset.map(pointerOf));
  const refused = (checked.valid ? [] : checked.details).filter((d) => !unsetAt.has(d.path!));
  if (!isRecord(data)) return { connections, problems: [...unset, ...refused.map(problemLine)] };

  const flagged = new Set([...refused.map((d) => d.path!), ...unsetAt]);
  const reader = new ConnectionsReader(data, options.defaults, flagged);
  reader.checkUnique();
  // An entry with a refused value is still checked for its other problems, without it, but not kept.
  const each = <T, R>(key: string, read: (entry: T, at: string) => R, kept: R[]) =>
    entriesOf(data[key]).forEach((entry, i) => {
      const at = `/${key}/${i}`;
      const sound = ![...flagged].some((p) => p === at || p.startsWith(`${at}/`));
      const usable = sound ? entry : withoutFlagged(entry, at, flagged);
      if (!isRecord(usable)) return;
      const value = read(usable as T, at);
      if (sound) kept.push(value);
    });
  each('servicenow', (entry: FileInstance, at) => reader.instance(entry, at), connections.instances);
  each('genesys', (entry: FileOrg, at) => reader.org(entry, at), connections.orgs);
  each('routes', (entry: FileRoute, at) => reader.route(entry, at), connections.routes);
  return { connections, problems: [...unset, ...refused.map(problemLine), ...reader.problems].map(labeller(reader)) };
}
