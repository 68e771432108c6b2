import fs from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { interpolateEnv } from '../config/env-interpolation.js';
import { RESERVED_INCIDENT_FIELDS } from '../config/incident-fields.js';
import { incidentKinds, type IncidentKind } from './incident-store.js';
import { schemaCheck } from '../validation/compile.js';
import { problemLine } from '../validation/error-details.js';
import { defaultIncidentMappingYaml } from './default-incident-mapping.js';
import { factNames, type IncidentFacts } from './incident-facts.js';

/** ServiceNow field values: what the Table API accepts for the fields we set. */
export type FieldValues = Record<string, string | number | boolean>;

interface KindMapping {
  short_description: string;
  description: string;
  fields?: FieldValues;
}

/** `mappings/incident.yaml` after `${ENV}` interpolation and validation. */
export interface IncidentMappingFile {
  fields?: FieldValues;
  kinds: Record<IncidentKind, KindMapping>;
  resolve: { close_code: string; close_notes: string; gone_notes?: string; fields?: FieldValues };
}

/** close_notes for a trunk that disappeared from Genesys Cloud, when the mapping has no `resolve.gone_notes`. */
export const DEFAULT_GONE_NOTES =
  '{{subjectName}} is no longer listed by Genesys Cloud (deleted, or no longer an EXTERNAL trunk), so trunkgate stops watching it; the problem ({{problem}}, first seen {{firstSeen}}) ends with it. Resolved automatically by trunkgate.';

/** A broken incident mapping: names the file and every problem (start-up stops on it). */
export class IncidentMappingError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file} is not a valid incident mapping:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'IncidentMappingError';
  }
}

const fieldValues = {
  type: 'object',
  propertyNames: { type: 'string', pattern: '^[a-z][a-z0-9_]*$' },
  additionalProperties: { type: ['string', 'number', 'boolean'] },
};
const kindSchema = {
  type: 'object',
  required: ['short_description', 'description'],
  additionalProperties: false,
  properties: { short_description: { type: 'string', minLength: 1 }, description: { type: 'string', minLength: 1 }, fields: fieldValues },
};
const mappingSchema = {
  type: 'object',
  required: ['kinds', 'resolve'],
  additionalProperties: false,
  properties: {
    fields: fieldValues,
    kinds: {
      type: 'object',
      required: [...incidentKinds],
      additionalProperties: false,
      properties: Object.fromEntries(incidentKinds.map((kind) => [kind, kindSchema])),
    },
    resolve: {
      type: 'object',
      required: ['close_code', 'close_notes'],
      additionalProperties: false,
      properties: {
        close_code: { type: 'string', minLength: 1 },
        close_notes: { type: 'string', minLength: 1 },
        gone_notes: { type: 'string', minLength: 1 },
        fields: fieldValues,
      },
    },
  },
};

const PLACEHOLDER = /\{\{\s*([A-Za-z]+)\s*\}\}/g;

function checkPlaceholders(template: string, at: string, problems: string[]): void {
  for (const m of template.matchAll(PLACEHOLDER)) {
    if (!(factNames as readonly string[]).includes(m[1]!))
      problems.push(`${at}: unknown placeholder {{${m[1]}}} (known: ${factNames.join(', ')})`);
  }
}

function checkFields(fields: FieldValues | undefined, at: string, problems: string[]): void {
  for (const name of Object.keys(fields ?? {})) {
    if (RESERVED_INCIDENT_FIELDS.has(name)) problems.push(`${at}/${name}: trunkgate sets ${name} itself; remove it from the mapping`);
  }
}

/** Parses and validates mapping text; throws IncidentMappingError naming every problem. */
export function parseIncidentMapping(text: string, env: NodeJS.ProcessEnv, file: string): IncidentMapping {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0)
    throw new IncidentMappingError(
      file,
      doc.errors.map((e) => e.message.split('\n')[0]!),
    );
  const problems: string[] = [];
  const checked = schemaCheck<IncidentMappingFile>(mappingSchema)(interpolateEnv(doc.toJS(), env, '', problems));
  if (!checked.valid) throw new IncidentMappingError(file, [...problems, ...checked.details.map(problemLine)]);
  const raw = checked.value;
  checkFields(raw.fields, '/fields', problems);
  checkFields(raw.resolve.fields, '/resolve/fields', problems);
  for (const [kind, m] of Object.entries(raw.kinds)) {
    checkPlaceholders(m.short_description, `/kinds/${kind}/short_description`, problems);
    checkPlaceholders(m.description, `/kinds/${kind}/description`, problems);
    checkFields(m.fields, `/kinds/${kind}/fields`, problems);
  }
  checkPlaceholders(raw.resolve.close_notes, '/resolve/close_notes', problems);
  if (raw.resolve.gone_notes !== undefined) checkPlaceholders(raw.resolve.gone_notes, '/resolve/gone_notes', problems);
  if (problems.length > 0) throw new IncidentMappingError(file, problems);
  return new IncidentMapping(raw);
}

/**
 * Reads `MAPPINGS_DIR/incident.yaml`. When the folder has none, the built-in mapping (the same text
 * the repository ships as mappings/incident.yaml) is used, so a folder of action mappings alone works.
 */
export function loadIncidentMapping(options: { dir: string; env: NodeJS.ProcessEnv }): { mapping: IncidentMapping; source: string } {
  const file = path.join(options.dir, 'incident.yaml');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new IncidentMappingError(file, [`cannot be read: ${(err as Error).message}`]);
    return { mapping: parseIncidentMapping(defaultIncidentMappingYaml, options.env, 'built-in incident mapping'), source: 'built-in' };
  }
  return { mapping: parseIncidentMapping(text, options.env, file), source: file };
}

function fill(template: string, facts: IncidentFacts): string {
  return template.replace(PLACEHOLDER, (_m, name: string) => facts[name as keyof IncidentFacts] ?? '');
}

/** Drops empty values: an unset `${VAR:-}` means "do not send this field". */
export function present(fields: FieldValues | undefined): FieldValues {
  return Object.fromEntries(Object.entries(fields ?? {}).filter(([, v]) => v !== ''));
}

/** The validated mapping as functions: facts in, ServiceNow fields out. */
export class IncidentMapping {
  constructor(readonly file: IncidentMappingFile) {}

  /** Fields of a new incident of this kind (without correlation_id, which the caller owns). */
  createFields(kind: IncidentKind, facts: IncidentFacts): FieldValues {
    const k = this.file.kinds[kind];
    return {
      ...present(this.file.fields),
      ...present(k.fields),
      short_description: fill(k.short_description, facts).slice(0, 160),
      description: fill(k.description, facts),
    };
  }

  /** Fields that resolve an incident (state is the caller's); `gone` when its trunk disappeared. */
  resolveFields(facts: IncidentFacts, reason?: 'gone'): FieldValues {
    const notes = reason === 'gone' ? (this.file.resolve.gone_notes ?? DEFAULT_GONE_NOTES) : this.file.resolve.close_notes;
    return { ...present(this.file.resolve.fields), close_code: this.file.resolve.close_code, close_notes: fill(notes, facts) };
  }
}
