import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import * as ajvFormats from 'ajv-formats';
import type { ErrorDetail } from '../errors/app-error.js';

// ajv-formats is CommonJS; its default export arrives wrapped under ESM.
type FormatsPlugin = (ajv: Ajv2020) => Ajv2020;
const addFormats = ((ajvFormats as unknown as { default: { default?: FormatsPlugin } & FormatsPlugin }).default.default ??
  (ajvFormats as unknown as { default: FormatsPlugin }).default) as FormatsPlugin;

/**
 * The one JSON Schema engine of the mappings (draft 2020-12, the dialect of OpenAPI 3.1), with
 * formats. Strict, so a typo in a mapping's schema (`requried`) stops start-up instead of
 * silently accepting everything; `allowUnionTypes` because `type: [string, integer]` is how the
 * mappings accept ServiceNow's string-stored numbers.
 */
export function createSchemaEngine(): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true, strictRequired: false, messages: true });
  addFormats(ajv);
  return ajv;
}

const pointerPart = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

/** One entry per problem, `path` a JSON Pointer to the offending (or missing) value. */
export function validationDetails(errors: ErrorObject[] | null | undefined): ErrorDetail[] {
  const all = errors ?? [];
  const details: ErrorDetail[] = [];
  // "one of sys_id or number": an anyOf of `required` branches reads as one problem, not three.
  const folded = new Set<ErrorObject>();
  for (const e of all) {
    if (e.keyword !== 'anyOf' && e.keyword !== 'oneOf') continue;
    const branches = all.filter((b) => b !== e && b.schemaPath.startsWith(`${e.schemaPath}/`) && b.instancePath === e.instancePath);
    if (branches.length === 0 || !branches.every((b) => b.keyword === 'required')) continue;
    const names = [...new Set(branches.map((b) => String((b.params as { missingProperty: string }).missingProperty)))];
    details.push({ path: `${e.instancePath}/${pointerPart(names[0]!)}`, message: `one of ${names.join(', ')} is required` });
    folded.add(e);
    for (const b of branches) folded.add(b);
  }
  // A value of the wrong type fails its other keywords too; the type is the problem to report.
  const wrongType = new Set(all.filter((e) => e.keyword === 'type').map((e) => e.instancePath));
  for (const e of all) {
    if (folded.has(e)) continue;
    if (e.keyword !== 'type' && wrongType.has(e.instancePath) && e.keyword !== 'required' && e.keyword !== 'additionalProperties') continue;
    // anyOf/oneOf/if whose branches are reported on their own add nothing a caller can act on.
    if ((e.keyword === 'anyOf' || e.keyword === 'oneOf' || e.keyword === 'if') && all.some((b) => b !== e && b.schemaPath.startsWith(`${e.schemaPath}/`))) continue;
    details.push(detailOf(e));
  }
  const seen = new Set<string>();
  return details.filter((d) => {
    const key = `${d.path}\u0000${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function detailOf(e: ErrorObject): ErrorDetail {
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return { path: `${e.instancePath}/${pointerPart(String(params.missingProperty))}`, message: 'is required' };
    case 'additionalProperties':
      return { path: `${e.instancePath}/${pointerPart(String(params.additionalProperty))}`, message: 'is not an accepted field' };
    case 'enum':
      return { path: e.instancePath, message: `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}` };
    case 'type':
      return { path: e.instancePath, message: `must be ${String(params.type).split(',').join(' or ')}` };
    default:
      return { path: e.instancePath, message: e.message ?? `fails ${e.keyword}` };
  }
}

/** Compiles a schema, turning ajv's exceptions into one readable line. */
export function compileSchema(ajv: Ajv2020, schema: unknown): ValidateFunction {
  try {
    return ajv.compile(schema as object);
  } catch (err) {
    throw new Error(`not a valid JSON Schema: ${(err as Error).message}`);
  }
}
