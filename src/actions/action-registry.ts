import { UnknownActionError } from '../errors/app-error.js';
import type { ActionContext, ActionService, ActionSummary } from './action-service.js';

/** A loaded action: its summary and the function that runs it. */
export interface LoadedAction {
  summary: ActionSummary;
  run(input: unknown, ctx: ActionContext): Promise<Record<string, unknown>>;
}

/** Holds the actions loaded at start-up, by name. */
export class ActionRegistry implements ActionService {
  private readonly byName: Map<string, LoadedAction>;

  constructor(actions: LoadedAction[]) {
    this.byName = new Map(actions.map((a) => [a.summary.name, a]));
  }

  list(): ActionSummary[] {
    return [...this.byName.values()].map((a) => a.summary);
  }

  async run(name: string, input: unknown, ctx: ActionContext): Promise<Record<string, unknown>> {
    const action = this.byName.get(name);
    if (!action) throw new UnknownActionError(name);
    return action.run(input, ctx);
  }
}
