import { AppError, NotFoundError, UpstreamError, ValidationError, evidenceOf } from '../errors/app-error.js';
import type { Clock } from '../time/clock.js';
import { Deadline } from '../net/deadline.js';
import type { CallOptions, UpstreamApi, UpstreamRequest } from '../upstream/upstream-api.js';
import { bodyEvidence } from '../upstream/upstream-errors.js';
import type { SchemaValidator } from '../validation/compile.js';
import { validationDetails } from '../validation/error-details.js';
import type { LoadedAction } from './action-registry.js';
import type { ActionContext, ActionSummary } from './action-service.js';
import { isTruthy, type Bindings, type Expression, type MaybePromise } from './expression.js';
import { mappingFunctions } from './mapping-functions.js';
import { evaluateTree, textOf, type Template, type TemplateTree } from './template.js';

/** A mapping step, compiled: every expression and template parsed once at start-up. */
export interface CompiledStep {
  name: string;
  method: UpstreamRequest['method'];
  when?: Expression;
  path: Template;
  query: Array<[string, Template]>;
  body?: TemplateTree;
  idempotent?: boolean;
  select?: Expression;
  notFoundWhen?: Expression;
  notFoundOn404: boolean;
  notFoundMessage?: Template;
  finishWhen?: Expression;
  /** Index of the earlier step that tells whether this one went through after its answer was lost. */
  confirmWith?: number;
}

/** A mapping file, compiled. */
export interface CompiledMapping {
  summary: ActionSummary;
  validateInput: SchemaValidator;
  validateOutput: SchemaValidator;
  steps: CompiledStep[];
  fields: Array<[string, Template | string | number | boolean | null]>;
}

/** Share of the time left that a confirmable step's first attempt may use: the rest is for the lookup. */
const CONFIRMABLE_ATTEMPT_SHARE = 0.6;

/** Escapes one placeholder value as a path segment; empty, `.` and `..` would change the path's meaning. */
function pathSegment(value: unknown, step: string, source: string): string {
  const text = textOf(value);
  if (text === '' || text === '.' || text === '..') {
    throw new ValidationError('The input does not give a usable value for the upstream path', [
      { path: '', message: `step ${step}: path value \${${source}} is ${text === '' ? 'empty' : `"${text}"`}` },
    ]);
  }
  return encodeURIComponent(text);
}

/** Runs one mapping: validate input → steps (upstream calls) → flat output checked against its schema. */
export class MappingAction implements LoadedAction {
  readonly summary: ActionSummary;

  constructor(
    private readonly mapping: CompiledMapping,
    private readonly deps: { api: UpstreamApi; clock: Clock },
  ) {
    this.summary = mapping.summary;
  }

  async run(input: unknown, ctx: ActionContext): Promise<Record<string, unknown>> {
    const { validateInput, steps, summary } = this.mapping;
    if (!validateInput(input))
      throw new ValidationError(`The input does not match the ${summary.name} action's schema`, validationDetails(validateInput.errors));
    const deadline = Deadline.after(this.deps.clock, summary.timeoutMs, ctx.signal);
    const results: Record<string, unknown> = {};
    const bindings: Bindings = { ...mappingFunctions, input, steps: results };
    const ran = new Set<number>();
    let last: unknown;
    // Only promises are awaited: most expressions answer synchronously (see Expression.evaluate).
    for (let i = 0; i < steps.length; i += 1) {
      const step = steps[i]!;
      if (step.when) {
        const when = step.when.evaluate(input, bindings);
        if (!isTruthy(when instanceof Promise ? await when : when)) continue;
      }
      ran.add(i);
      const selected =
        step.confirmWith === undefined
          ? { value: await this.runStep(step, input, bindings, { deadline }) }
          : await this.runConfirmable(i, input, bindings, deadline, ran);
      if (selected.finishedBy !== undefined) {
        last = selected.value;
        break;
      }
      results[step.name] = selected.value;
      last = selected.value;
      if (step.notFoundWhen) {
        const missing = step.notFoundWhen.evaluate(selected.value, bindings);
        if (isTruthy(missing instanceof Promise ? await missing : missing)) throw await this.notFound(step, input, bindings);
      }
      if (step.finishWhen) {
        const finished = step.finishWhen.evaluate(selected.value, bindings);
        if (isTruthy(finished instanceof Promise ? await finished : finished)) break;
      }
    }
    return this.output(last, bindings);
  }

  /**
   * A step whose answer was lost (timeout, reset) may still have been carried out upstream, so it is
   * not sent again blindly: its `confirmWith` step (the correlation lookup) runs first, and finds it.
   */
  private async runConfirmable(
    i: number,
    input: unknown,
    bindings: Bindings,
    deadline: Deadline,
    ran: Set<number>,
  ): Promise<{ value: unknown; finishedBy?: number }> {
    const step = this.mapping.steps[i]!;
    const confirmIndex = step.confirmWith;
    if (confirmIndex === undefined) return { value: await this.runStep(step, input, bindings, { deadline }) };
    try {
      return {
        value: await this.runStep(step, input, bindings, {
          deadline,
          attemptTimeoutMs: Math.floor(deadline.remainingMs() * CONFIRMABLE_ATTEMPT_SHARE),
        }),
      };
    } catch (err) {
      const lost = err instanceof AppError && evidenceOf(err)?.processed === 'unknown';
      if (!lost || !ran.has(confirmIndex) || deadline.expired()) throw err;
      const confirm = this.mapping.steps[confirmIndex]!;
      const found = await this.runStep(confirm, input, bindings, { deadline });
      if (confirm.finishWhen && isTruthy(await confirm.finishWhen.evaluate(found, bindings)))
        return { value: found, finishedBy: confirmIndex };
      // The lookup says it did not happen: one more try with whatever time is left.
      return { value: await this.runStep(step, input, bindings, { deadline }) };
    }
  }

  private async runStep(step: CompiledStep, input: unknown, bindings: Bindings, options: CallOptions): Promise<unknown> {
    const built = this.request(step, input, bindings);
    const request = built instanceof Promise ? await built : built;
    let body: unknown;
    try {
      body = (await this.deps.api.send(request, { ...options, ...(step.idempotent === undefined ? {} : { idempotent: step.idempotent }) }))
        .body;
    } catch (err) {
      if (step.notFoundOn404 && err instanceof AppError && err.code === 'upstream_error' && evidenceOf(err)?.status === 404)
        throw await this.notFound(step, input, bindings);
      throw err;
    }
    return step.select ? step.select.evaluate(body, bindings) : body;
  }

  /** The upstream request of a step; built synchronously unless a placeholder needs JSONata. */
  private request(step: CompiledStep, input: unknown, bindings: Bindings): MaybePromise<UpstreamRequest> {
    const pathParts = step.path.pieces.map((piece) => (typeof piece === 'string' ? piece : piece.evaluate(input, bindings)));
    const queryValues = step.query.map(([, template]) => template.evaluate(input, bindings));
    const build = (parts: unknown[], values: unknown[], body: unknown): UpstreamRequest => {
      let path = '';
      parts.forEach((part, k) => {
        const piece = step.path.pieces[k]!;
        path += typeof piece === 'string' ? piece : pathSegment(part, step.name, piece.source);
      });
      const query = new URLSearchParams();
      values.forEach((value, k) => {
        if (value === undefined || value === null) return;
        for (const v of Array.isArray(value) ? value : [value]) query.append(step.query[k]![0], textOf(v));
      });
      return {
        operation: `${this.summary.name}.${step.name}`,
        method: step.method,
        path,
        ...(values.length > 0 ? { query } : {}),
        ...(body === undefined ? {} : { body }),
      };
    };
    const pending = step.body !== undefined || pathParts.some((p) => p instanceof Promise) || queryValues.some((v) => v instanceof Promise);
    if (!pending) return build(pathParts, queryValues, undefined);
    return (async () =>
      build(
        await Promise.all(pathParts),
        await Promise.all(queryValues),
        step.body === undefined ? undefined : await evaluateTree(step.body, input, bindings),
      ))();
  }

  private async notFound(step: CompiledStep, input: unknown, bindings: Bindings): Promise<NotFoundError> {
    const message = step.notFoundMessage ? textOf(await step.notFoundMessage.evaluate(input, bindings)) : '';
    return new NotFoundError(message || `${this.summary.upstream} has no record for this ${this.summary.name} request`);
  }

  private output(last: unknown, bindings: Bindings): MaybePromise<Record<string, unknown>> {
    const values = this.mapping.fields.map(([, field]) =>
      typeof field === 'object' && field !== null ? field.evaluate(last, bindings) : field,
    );
    const finish = (done: unknown[]) => {
      const out: Record<string, unknown> = {};
      done.forEach((value, k) => {
        // A field without a value is left out rather than sent as null: Genesys applies an action's
        // translationMapDefaults to a missing field but not to a null (docs/genesys-cloud.md, "Data Actions").
        if (value !== undefined && value !== null) out[this.mapping.fields[k]![0]] = value;
      });
      return this.checked(out, last);
    };
    return values.some((v) => v instanceof Promise) ? Promise.all(values).then(finish) : finish(values);
  }

  private checked(out: Record<string, unknown>, last: unknown): Record<string, unknown> {
    const { validateOutput, summary } = this.mapping;
    if (!validateOutput(out)) {
      const problems = validationDetails(validateOutput.errors)
        .map((d) => `${d.path} ${d.message}`)
        .join('; ');
      throw new UpstreamError(
        `${summary.upstream}'s answer to ${summary.name} cannot be translated into the action's output (${problems})`,
        {
          upstream: summary.upstream,
          operation: summary.name,
          body: bodyEvidence(last),
        },
      );
    }
    return out;
  }
}
