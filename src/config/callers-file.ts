import { parseDocument } from 'yaml';
import { isPermission, PERMISSIONS, type CallerDefinition, type Permission } from './caller-definitions.js';
import { schemaCheck, type SchemaCheckResult } from '../validation/compile.js';
import { problemLine, type MessageOverride } from '../validation/error-details.js';
import { interpolateEnv } from './env-interpolation.js';

/** Shortest API key accepted, from CALLERS_FILE as from GATEWAY_API_KEYS. */
export const MIN_API_KEY_LENGTH = 16;
/** A caller's name: safe in a log line, a metric label and a message. */
const CALLER_NAME = '^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$';
/** Metrics label every JWT caller `jwt`: a configured caller of that name would be counted with them. */
const RESERVED_NAMES = ['jwt'];

interface FileCaller {
  name: string;
  apiKey?: string;
  basic?: { user: string; password: string };
  permissions: string[];
  rateLimitPerMinute?: number | string;
}

const callersSchema = {
  type: 'object',
  required: ['callers'],
  additionalProperties: false,
  properties: {
    callers: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'permissions'],
        additionalProperties: false,
        properties: {
          name: { type: 'string', pattern: CALLER_NAME },
          // A string, never a YAML number: a long numeric key would lose digits on the way.
          apiKey: { type: 'string' },
          basic: {
            type: 'object',
            required: ['user', 'password'],
            additionalProperties: false,
            properties: { user: { type: 'string', minLength: 1, pattern: '^[^:]+$' }, password: { type: 'string', minLength: 1 } },
          },
          permissions: { type: 'array', minItems: 1, items: { type: 'string' } },
          // A string when it comes from `${VAR}`; checked to be a whole number below.
          rateLimitPerMinute: { type: ['integer', 'string'] },
        },
      },
    },
  },
};

/** Messages that name the rule a pattern or type encodes; messages name rules, never the offending values. */
const ruleMessages: MessageOverride = (e, path) => {
  if (e.keyword === 'pattern' && path.endsWith('/name'))
    return "must be 1-64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit";
  if (e.keyword === 'pattern' && path.endsWith('/user')) return "must not contain ':'";
  if (e.keyword === 'type' && path.endsWith('/apiKey')) return 'must be a string (quote it)';
  return undefined;
};

let compiled: ((data: unknown) => SchemaCheckResult<{ callers: FileCaller[] }>) | undefined;
/** Compiled on first use: most deployments have no CALLERS_FILE and should not pay for it at start-up. */
const checkFile = (data: unknown) => {
  compiled ??= schemaCheck<{ callers: FileCaller[] }>(callersSchema, { override: ruleMessages });
  return compiled(data);
};

function rateLimit(value: number | string | undefined, at: string, problems: string[]): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === 'number' ? value : /^\d+$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
  if (!Number.isInteger(n) || n < 0 || n > 1_000_000) {
    problems.push(`${at}/rateLimitPerMinute: must be a whole number from 0 (no limit) to 1000000`);
    return undefined;
  }
  return n;
}

function permissions(values: string[], at: string, problems: string[]): Permission[] {
  const out: Permission[] = [];
  values.forEach((value, i) => {
    if (isPermission(value)) out.push(value);
    else problems.push(`${at}/permissions/${i}: unknown permission "${value}" (known: ${PERMISSIONS.join(', ')}, actions:run:<action>)`);
  });
  return out;
}

/**
 * Parses CALLERS_FILE text after `${VAR}` / `${VAR:-default}` interpolation. Every problem is returned
 * (with the JSON Pointer of the entry and, once known, the caller's name); a secret never is.
 * `positions` gives each caller's index in the file, for later messages about it.
 */
export function parseCallersFile(
  text: string,
  env: NodeJS.ProcessEnv,
): { callers: CallerDefinition[]; problems: string[]; positions: Map<CallerDefinition, number> } {
  const positions = new Map<CallerDefinition, number>();
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) return { callers: [], problems: doc.errors.map((e) => e.message.split('\n')[0]!), positions };
  const problems: string[] = [];
  const checked = checkFile(interpolateEnv(doc.toJS(), env, '', problems));
  if (!checked.valid) return { callers: [], problems: [...problems, ...checked.details.map(problemLine)], positions };
  const raw = checked.value;
  const callers: CallerDefinition[] = [];
  const add = (caller: CallerDefinition, index: number) => {
    callers.push(caller);
    positions.set(caller, index);
  };
  raw.callers.forEach((entry, i) => {
    const at = `/callers/${i} (${entry.name})`;
    if (RESERVED_NAMES.includes(entry.name)) problems.push(`${at}/name: "${entry.name}" is reserved (JWT callers are counted under it)`);
    const granted = permissions(entry.permissions, at, problems);
    const limit = rateLimit(entry.rateLimitPerMinute, at, problems);
    if (entry.apiKey !== undefined && entry.basic !== undefined) {
      problems.push(`${at}: give either apiKey or basic, not both (a second credential is a second caller)`);
      return;
    }
    if (entry.apiKey !== undefined) {
      if (entry.apiKey.length < MIN_API_KEY_LENGTH) problems.push(`${at}/apiKey: must be at least ${MIN_API_KEY_LENGTH} characters`);
      add(
        {
          name: entry.name,
          credential: { kind: 'api-key', key: entry.apiKey },
          permissions: granted,
          rateLimitPerMinute: limit,
          source: 'CALLERS_FILE',
        },
        i,
      );
    } else if (entry.basic !== undefined) {
      add(
        {
          name: entry.name,
          credential: { kind: 'basic', ...entry.basic },
          permissions: granted,
          rateLimitPerMinute: limit,
          source: 'CALLERS_FILE',
        },
        i,
      );
    } else {
      problems.push(`${at}: has no credential: give apiKey or basic: {user, password}`);
    }
  });
  return { callers, problems, positions };
}
