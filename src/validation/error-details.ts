import type { ErrorObject } from 'ajv';
import type { ErrorDetail } from '../errors/app-error.js';

/** One problem as Ajv reports it; `validationDetails` turns a list of them into `validation_failed` details. */
export type SchemaError = ErrorObject;

/** Replaces the message of one problem (return undefined to keep the standard one). */
export type MessageOverride = (error: SchemaError, path: string) => string | undefined;

const pointerPart = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

/** "a", "a or b", "a, b or c". */
const alternatives = (items: string[]) => (items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`);

/**
 * Ajv's errors as `validation_failed` details (docs/design.md, 'Error contract'): one entry per
 * problem, `path` a JSON Pointer to the offending value — or to the missing or unknown field. The one
 * wording of every schema check in trunkgate: request bodies, action inputs and outputs, mapping and
 * config files.
 */
export function validationDetails(errors: readonly SchemaError[] | null | undefined, override?: MessageOverride): ErrorDetail[] {
  const all = errors ?? [];
  const details: ErrorDetail[] = [];
  // "one of sys_id or number": an anyOf of `required` branches reads as one problem, not three.
  const folded = new Set<SchemaError>();
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
    if (
      (e.keyword === 'anyOf' || e.keyword === 'oneOf' || e.keyword === 'if') &&
      all.some((b) => b !== e && b.schemaPath.startsWith(`${e.schemaPath}/`))
    )
      continue;
    const detail = detailOf(e);
    const message = override?.(e, detail.path!);
    details.push(message === undefined ? detail : { path: detail.path, message });
  }
  const seen = new Set<string>();
  return details.filter((d) => {
    const key = `${d.path}\u0000${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** A detail as one line of a file's problem list (`pointer: message`, `/` for the whole document). */
export const problemLine = (detail: ErrorDetail): string => `${detail.path || '/'}: ${detail.message}`;

function detailOf(e: SchemaError): ErrorDetail {
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return { path: `${e.instancePath}/${pointerPart(String(params.missingProperty))}`, message: 'is required' };
    case 'additionalProperties':
      return { path: `${e.instancePath}/${pointerPart(String(params.additionalProperty))}`, message: 'is not an accepted field' };
    case 'enum':
      return {
        path: e.instancePath,
        message: `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
      };
    case 'type':
      return { path: e.instancePath, message: `must be ${alternatives(String(params.type).split(','))}` };
    default:
      return { path: e.instancePath, message: e.message ?? `fails ${e.keyword}` };
  }
}
