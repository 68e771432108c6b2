import type { UpstreamName } from '../upstream/upstream-descriptor.js';

/** What `GET /v1/actions` shows of a loaded Data Action. */
export interface ActionSummary {
  name: string;
  description: string;
  upstream: UpstreamName;
  inputSchema: Record<string, unknown>;
  outputSchema: Record<string, unknown>;
  timeoutMs: number;
}

export interface ActionContext {
  requestId: string;
  /** Aborted when the caller goes away. */
  signal: AbortSignal;
}

/** Runs Data Actions defined by mappings; throws UnknownActionError / ValidationError / upstream errors. */
export interface ActionService {
  list(): ActionSummary[];
  run(name: string, input: unknown, ctx: ActionContext): Promise<Record<string, unknown>>;
}
