import type { MessageOverride } from '../validation/error-details.js';
import { CONNECTION_NAME, type RouteMatch } from './connections.js';
import { GENESYS_REGIONS } from './regions.js';

/** A whole number: a string when it comes from `${VAR}`, checked after the schema. */
type WholeNumber = number | string;
/** true/false: a string when it comes from `${VAR}` (`true`, `yes`, `on`, `1`…), checked after the schema. */
type YesNo = boolean | string;

/** One entry of `genesys:` as the schema lets it through. */
export interface FileOrg {
  name: string;
  region?: string;
  loginUrl?: string;
  apiUrl?: string;
  clientId: string;
  clientSecret: string;
  /** A list, or a comma-separated string as GENESYS_REQUIRED_SCOPES takes it. */
  requiredScopes?: string[] | string;
  tokenRefreshBufferMs?: WholeNumber;
  rateLimitPerMinute?: WholeNumber;
  monitor?: { enabled?: YesNo; pollIntervalMs?: WholeNumber; notifications?: YesNo };
  servicenow?: string;
}

/** One entry of `servicenow:`. */
export interface FileInstance {
  name: string;
  instanceUrl: string;
  clientId?: string;
  clientSecret?: string;
  username?: string;
  password?: string;
  tokenRefreshBufferMs?: WholeNumber;
  rateLimitPerHour?: WholeNumber;
}

/** One entry of `routes:`. */
export interface FileRoute {
  match: RouteMatch;
  servicenow?: string;
  fields?: Record<string, string | number | boolean>;
}

/** The keys a route may match on, in the order messages list them. */
export const MATCH_KEYS: ReadonlyArray<keyof RouteMatch> = ['org', 'trunkId', 'trunkName', 'trunkBaseId', 'edgeId', 'edgeName'];

const wholeNumber = { type: ['integer', 'string'] };
const yesNo = { type: ['boolean', 'string'] };
const text = { type: 'string', minLength: 1 };
const name = { type: 'string', pattern: CONNECTION_NAME.source };

/** CONNECTIONS_FILE after `${VAR}` interpolation; the rules a schema cannot say are checked in connections-file.ts. */
export const connectionsSchema = {
  type: 'object',
  required: ['genesys', 'servicenow'],
  additionalProperties: false,
  properties: {
    genesys: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['name', 'clientId', 'clientSecret'],
        additionalProperties: false,
        properties: {
          name,
          region: { enum: [...GENESYS_REGIONS] },
          loginUrl: text,
          apiUrl: text,
          clientId: text,
          clientSecret: text,
          requiredScopes: { type: ['array', 'string'], items: text },
          tokenRefreshBufferMs: wholeNumber,
          rateLimitPerMinute: wholeNumber,
          monitor: {
            type: 'object',
            additionalProperties: false,
            properties: { enabled: yesNo, pollIntervalMs: wholeNumber, notifications: yesNo },
          },
          servicenow: text,
        },
      },
    },
    servicenow: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['name', 'instanceUrl'],
        additionalProperties: false,
        properties: {
          name,
          instanceUrl: text,
          clientId: text,
          clientSecret: text,
          username: text,
          password: text,
          tokenRefreshBufferMs: wholeNumber,
          rateLimitPerHour: wholeNumber,
        },
      },
    },
    routes: {
      type: 'array',
      items: {
        type: 'object',
        required: ['match'],
        additionalProperties: false,
        properties: {
          match: {
            type: 'object',
            minProperties: 1,
            additionalProperties: false,
            properties: Object.fromEntries(MATCH_KEYS.map((key) => [key, text])),
          },
          servicenow: text,
          // Field names are checked afterwards, one message per name (propertyNames would not say which).
          fields: { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] } },
        },
      },
    },
  },
};

const WHOLE_NUMBERS = ['/tokenRefreshBufferMs', '/rateLimitPerMinute', '/rateLimitPerHour', '/pollIntervalMs'];
const YES_NO = ['/enabled', '/notifications'];

/** Messages that say the rule a pattern, type or count encodes; never the offending value. */
export const connectionsMessages: MessageOverride = (e, path) => {
  if (e.keyword === 'pattern' && path.endsWith('/name')) return "must be 1-32 lower-case letters, digits or '-', starting with a letter";
  if (e.keyword === 'enum' && path.endsWith('/region')) return `must be a Genesys Cloud region: one of ${GENESYS_REGIONS.join(', ')}`;
  if (e.keyword === 'type' && WHOLE_NUMBERS.some((p) => path.endsWith(p))) return 'must be a whole number';
  if (e.keyword === 'type' && YES_NO.some((p) => path.endsWith(p))) return 'must be true or false';
  if (e.keyword === 'minProperties' && path.endsWith('/match')) return `must name at least one of ${MATCH_KEYS.join(', ')}`;
  if (e.keyword === 'minItems' && path === '/genesys') return 'must list at least one org';
  if (e.keyword === 'minItems' && path === '/servicenow') return 'must list at least one instance';
  return undefined;
};
