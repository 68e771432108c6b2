import { Ajv2020 } from 'ajv/dist/2020.js';
import * as ajvFormats from 'ajv-formats';

// ajv-formats is CommonJS; its default export arrives wrapped under ESM.
type FormatsPlugin = (ajv: Ajv2020) => Ajv2020;
const addFormats = ((ajvFormats as unknown as { default: { default?: FormatsPlugin } & FormatsPlugin }).default.default ??
  (ajvFormats as unknown as { default: FormatsPlugin }).default) as FormatsPlugin;

/** The Ajv instance every JSON Schema of trunkgate is compiled with. */
export type SchemaEngine = Ajv2020;

/** RFC 3339 `date-time` as its ABNF writes it (https://www.rfc-editor.org/rfc/rfc3339#section-5.6): `T`, seconds, a zone with a colon. */
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:Z|[+-](\d{2}):(\d{2}))$/i;

function daysInMonth(year: number, month: number): number {
  const lastDay = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not read years 0-99 as 1900-1999.
  lastDay.setUTCFullYear(year, month, 0);
  return lastDay.getUTCDate();
}

/**
 * A `date-time` trunkgate can act on: RFC 3339, a day that exists in its month, hours 00-23, and a
 * time JavaScript represents (`Date.parse`), since every time is kept as epoch milliseconds. So no
 * leap second (`23:59:60` has no epoch millisecond) and no space for the `T`, which ajv-formats'
 * own `date-time` lets through.
 */
export function isDateTime(value: string): boolean {
  const m = DATE_TIME.exec(value);
  if (!m) return false;
  const [year, month, day, hour, minute, second, zoneHour, zoneMinute] = m.slice(1).map((part) => (part === undefined ? 0 : Number(part)));
  if (month! < 1 || month! > 12 || day! < 1 || day! > daysInMonth(year!, month!)) return false;
  if (hour! > 23 || minute! > 59 || second! > 59 || zoneHour! > 23 || zoneMinute! > 59) return false;
  return Number.isFinite(Date.parse(value));
}

/**
 * The one JSON Schema engine: draft 2020-12 (the dialect of OpenAPI 3.1 and of the action mappings),
 * every problem reported, the formats of ajv-formats with `date-time` as above.
 *
 * Strict by default, so a typo in a schema (`requried`, an unknown format) stops start-up instead of
 * silently accepting everything; `allowUnionTypes` because `type: [string, integer]` is how mappings
 * accept ServiceNow's string-stored numbers. `strict: false` is for documents that carry more than
 * schemas (an OpenAPI document added whole, to validate against its parts).
 */
export function createSchemaEngine(options: { strict?: boolean } = {}): SchemaEngine {
  const strict = options.strict ?? true;
  const ajv = new Ajv2020({ allErrors: true, strict, allowUnionTypes: true, strictRequired: false, messages: true });
  addFormats(ajv);
  ajv.addFormat('date-time', { type: 'string', validate: isDateTime });
  return ajv;
}
