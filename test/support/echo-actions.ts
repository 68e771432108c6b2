import type { ActionService, ActionSummary } from '../../src/actions/action-service.js';
import { ActionRegistry } from '../../src/actions/action-registry.js';

const summary = (name: string): ActionSummary => ({
  name,
  description: `test action ${name}`,
  upstream: 'servicenow',
  inputSchema: { type: 'object' },
  outputSchema: { type: 'object' },
  timeoutMs: 1000,
});

/** Actions for edge tests: `echo` returns what the gate parsed; `slow` answers after `delayMs`. */
export function echoActions(delayMs = 300): ActionService {
  return new ActionRegistry([
    { summary: summary('echo'), run: async (input) => ({ received: input }) },
    {
      summary: summary('slow'),
      run: (input) => new Promise((resolve) => setTimeout(() => resolve({ received: input }), delayMs)),
    },
  ]);
}
