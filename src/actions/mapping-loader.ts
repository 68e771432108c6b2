import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { compileSchema, type SchemaValidator } from '../validation/compile.js';
import { validationDetails } from '../validation/error-details.js';
import { createSchemaEngine, type SchemaEngine } from '../validation/schema-engine.js';
import { compileExpression, type Expression } from './expression.js';
import { mappingFileSchema, type MappingFile, type MappingStep } from './mapping-format.js';
import type { CompiledMapping, CompiledStep } from './mapping-action.js';
import { compileTree, parseTemplate, type Template } from './template.js';
import type { MappingTarget } from '../upstream/upstream-descriptor.js';

/** Thrown at start-up when mapping files are unusable; names every file and problem. */
export class MappingError extends Error {
  constructor(readonly problems: string[]) {
    super(`Action mappings are invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'MappingError';
  }
}

/** The files of `<mappingsDir>/actions`, sorted; a missing `actions` folder means no actions. */
export function actionMappingFiles(mappingsDir: string): string[] {
  if (!fs.existsSync(mappingsDir) || !fs.statSync(mappingsDir).isDirectory()) {
    throw new MappingError([`MAPPINGS_DIR ${mappingsDir} is not a folder`]);
  }
  const dir = path.join(mappingsDir, 'actions');
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => /\.ya?ml$/i.test(f))
    .sort()
    .map((f) => path.join(dir, f));
}

/**
 * Reads, checks and compiles every action mapping; throws one MappingError listing all problems.
 * `targets`: the upstreams a mapping may name, each with the paths it may call there (the APIs trunkgate
 * holds credentials for, nothing else on the host).
 */
export function loadMappings(
  mappingsDir: string,
  options: { defaultTimeoutMs: number; targets: readonly MappingTarget[]; ajv?: SchemaEngine },
): CompiledMapping[] {
  const ajv = options.ajv ?? createSchemaEngine();
  const validateFile = ajv.compile(mappingFileSchema(options.targets));
  const problems: string[] = [];
  const compiled: CompiledMapping[] = [];
  const names = new Map<string, string>();
  for (const file of actionMappingFiles(mappingsDir)) {
    const relative = path.relative(process.cwd(), file);
    const shown = relative && !relative.startsWith('..') ? relative : file;
    const fileProblems: string[] = [];
    const mapping = compileFile(file, {
      ajv,
      validateFile,
      defaultTimeoutMs: options.defaultTimeoutMs,
      targets: options.targets,
      problems: fileProblems,
    });
    problems.push(...fileProblems.map((p) => `${shown}: ${p}`));
    if (!mapping) continue;
    const other = names.get(mapping.summary.name);
    if (other) problems.push(`${shown}: action "${mapping.summary.name}" is already defined by ${other}`);
    names.set(mapping.summary.name, shown);
    compiled.push(mapping);
  }
  if (problems.length > 0) throw new MappingError(problems);
  return compiled;
}

interface CompileContext {
  ajv: SchemaEngine;
  validateFile: SchemaValidator;
  defaultTimeoutMs: number;
  targets: readonly MappingTarget[];
  problems: string[];
}

function compileFile(file: string, ctx: CompileContext): CompiledMapping | undefined {
  let doc: unknown;
  try {
    doc = YAML.parse(fs.readFileSync(file, 'utf8'), { uniqueKeys: true });
  } catch (err) {
    ctx.problems.push(`not valid YAML: ${(err as Error).message.split('\n')[0]}`);
    return undefined;
  }
  if (!ctx.validateFile(doc)) {
    for (const d of validationDetails(ctx.validateFile.errors)) ctx.problems.push(`${d.path || '(top level)'} ${d.message}`);
    return undefined;
  }
  const m = doc as MappingFile;
  const expected = path.basename(file).replace(/\.ya?ml$/i, '');
  if (m.name !== expected)
    ctx.problems.push(`name "${m.name}" must match the file name (${expected}): callers run it as POST /v1/actions/${expected}`);

  const attempt = <T>(where: string, fn: () => T): T | undefined => {
    try {
      return fn();
    } catch (err) {
      ctx.problems.push(`${where}: ${(err as Error).message}`);
      return undefined;
    }
  };
  const validateInput = attempt('input', () => compileSchema(ctx.ajv, m.input));
  const validateOutput = attempt('output.schema', () => compileSchema(ctx.ajv, m.output.schema));
  const properties = (m.output.schema.properties as Record<string, Record<string, unknown>> | undefined) ?? {};
  const declared = Object.keys(properties);
  for (const [field, schema] of Object.entries(properties)) {
    if (allowsNull(schema))
      ctx.problems.push(
        `output.schema.properties.${field} allows null: a field without a value is left out of the output instead (Genesys does not apply translationMapDefaults to a null), so drop "null" from its type and, if the field can be empty, from output.schema.required`,
      );
  }
  for (const field of Object.keys(m.output.fields)) {
    if (!declared.includes(field)) ctx.problems.push(`output.fields.${field} is not a property of output.schema`);
  }
  const fields = Object.entries(m.output.fields).map(([name, value]): [string, Template | string | number | boolean | null] => [
    name,
    typeof value === 'string'
      ? (attempt(`output.fields.${name}`, () => parseTemplate(value)) ?? value)
      : (value as number | boolean | null),
  ]);
  const prefix = ctx.targets.find((t) => t.name === m.upstream)!.pathPrefix;
  const steps = m.steps.map((s, i) => compileStep(s, i, m, prefix, attempt, ctx.problems));
  if (!validateInput || !validateOutput || ctx.problems.length > 0) return undefined;
  return {
    summary: {
      name: m.name,
      description: m.description,
      upstream: m.upstream,
      inputSchema: m.input,
      outputSchema: m.output.schema,
      timeoutMs: m.timeoutMs ?? ctx.defaultTimeoutMs,
    },
    validateInput,
    validateOutput,
    steps: steps as CompiledStep[],
    fields,
  };
}

type Attempt = <T>(where: string, fn: () => T) => T | undefined;

function compileStep(
  s: MappingStep,
  i: number,
  m: MappingFile,
  prefix: string,
  attempt: Attempt,
  problems: string[],
): CompiledStep | undefined {
  const at = `steps[${i}] (${s.name})`;
  const expr = (key: keyof MappingStep): Expression | undefined => {
    const source = s[key];
    return typeof source === 'string' ? attempt(`${at}.${key}`, () => compileExpression(source)) : undefined;
  };
  const earlier = m.steps.slice(0, i);
  if (earlier.some((e) => e.name === s.name)) problems.push(`${at}: another step is already named "${s.name}"`);
  const staticPath = s.path.split('${')[0]!;
  if (!staticPath.startsWith(prefix) && !prefix.startsWith(staticPath))
    problems.push(`${at}.path must start with ${prefix} (${m.upstream} API paths only)`);
  if (/[?#]/.test(s.path.replace(/\$\{[^}]*\}/g, ''))) problems.push(`${at}.path must not contain "?" or "#": put parameters under query`);
  let confirmWith: number | undefined;
  if (s.confirmWith !== undefined) {
    confirmWith = earlier.findIndex((e) => e.name === s.confirmWith);
    if (confirmWith < 0) problems.push(`${at}.confirmWith names no earlier step ("${s.confirmWith}")`);
    else if (!earlier[confirmWith]!.finishWhen)
      problems.push(`${at}.confirmWith: step "${s.confirmWith}" needs a finishWhen to tell whether the request went through`);
  }
  if (s.notFoundMessage !== undefined && !s.notFoundWhen && !s.notFoundOn404)
    problems.push(`${at}.notFoundMessage needs notFoundWhen or notFoundOn404`);
  const path = attempt(`${at}.path`, () => parseTemplate(s.path));
  const query = Object.entries(s.query ?? {}).map(([k, v]): [string, Template | undefined] => [
    k,
    attempt(`${at}.query.${k}`, () => parseTemplate(String(v))),
  ]);
  const body = s.body === undefined ? undefined : attempt(`${at}.body`, () => compileTree(s.body));
  const notFoundMessage =
    s.notFoundMessage === undefined ? undefined : attempt(`${at}.notFoundMessage`, () => parseTemplate(s.notFoundMessage!));
  if (!path || query.some(([, t]) => !t)) return undefined;
  return {
    name: s.name,
    method: s.method,
    when: expr('when'),
    path,
    query: query as Array<[string, Template]>,
    body,
    idempotent: s.idempotent,
    select: expr('select'),
    notFoundWhen: expr('notFoundWhen'),
    notFoundOn404: s.notFoundOn404 ?? false,
    notFoundMessage,
    finishWhen: expr('finishWhen'),
    confirmWith: confirmWith !== undefined && confirmWith >= 0 ? confirmWith : undefined,
  };
}

/** Whether a property schema lets a value be null (`type: null`, a type list with null, `nullable`, or a branch that does). */
function allowsNull(schema: unknown): boolean {
  if (typeof schema !== 'object' || schema === null) return false;
  const s = schema as Record<string, unknown>;
  if (s.type === 'null' || (Array.isArray(s.type) && s.type.includes('null')) || s.nullable === true) return true;
  if (Array.isArray(s.enum) && s.enum.includes(null)) return true;
  return ['anyOf', 'oneOf'].some((k) => Array.isArray(s[k]) && (s[k] as unknown[]).some(allowsNull));
}
