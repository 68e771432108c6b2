import type { TrunkgateApp } from '../app/create-app.js';
import type { Logger } from '../log/logger.js';
import type { Simulators } from '../sim/start-simulators.js';
import type { SandboxOrg } from './sandbox-setup.js';

/** What a story step can touch: the running gateway, the simulators, a narrator. */
export interface StoryContext {
  app: TrunkgateApp;
  sims: Simulators;
  /** The Genesys orgs (one, or two with SANDBOX_ORGS=2); the first is the default org. */
  orgs: SandboxOrg[];
  /** Whether a connections file describes them (correlation ids and `/v1/trunks` then carry the org). */
  perOrg: boolean;
  narrate: Logger;
  baseUrl: string;
  /** Demo caller credentials, as an Authorization header value. */
  authorization: string;
  signal: AbortSignal;
}

/** One scripted moment of the sandbox story; `atMs` is counted from start-up. */
export interface StoryStep {
  atMs: number;
  title: string;
  run(ctx: StoryContext): Promise<void> | void;
}

/** A background activity that runs for the whole story (e.g. traffic); stops with the signal. */
export type StoryActivity = (ctx: StoryContext) => Promise<void>;

/** Plays steps in time order, each once; later issues append their own steps and activities. */
export async function playStory(ctx: StoryContext, steps: StoryStep[], activities: StoryActivity[]): Promise<void> {
  for (const activity of activities) {
    activity(ctx).catch((err: unknown) => ctx.narrate.warn('story activity stopped', { err }));
  }
  const started = Date.now();
  for (const step of [...steps].sort((a, b) => a.atMs - b.atMs)) {
    const wait = step.atMs - (Date.now() - started);
    if (wait > 0) await sleep(wait, ctx.signal);
    if (ctx.signal.aborted) return;
    ctx.narrate.info(`▶ ${step.title}`);
    try {
      await step.run(ctx);
    } catch (err) {
      ctx.narrate.warn(`step failed: ${step.title}`, { err });
    }
  }
}

/** Resolves after `ms`, or at once when the signal aborts; leaves no listener behind. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
