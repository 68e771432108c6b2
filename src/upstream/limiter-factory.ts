import Bottleneck from 'bottleneck';

/** The bucket settings the pacers use: a reservoir and its periodic increase (bottleneck's names). */
export interface LimiterSettings {
  reservoir?: number | null;
  reservoirIncreaseAmount?: number | null;
  reservoirIncreaseInterval?: number | null;
  reservoirIncreaseMaximum?: number | null;
}

/** The part of a bottleneck limiter the pacers use (so tests can hand in a fake). */
export interface Limiter {
  schedule<R>(options: { weight?: number }, fn: () => PromiseLike<R>): Promise<R>;
  updateSettings(options: LimiterSettings): Promise<unknown>;
  currentReservoir(): Promise<number | null>;
  /** Weight of the slots taken and finished since the limiter (or its shared bucket) was created. */
  done(): Promise<number>;
  /** Weight of the slots taken and not yet finished. */
  running(): Promise<number>;
  counts(): Bottleneck.Counts;
  /** Takes no more jobs; the ones still waiting for a slot reject. */
  stop(): Promise<void>;
  disconnect(flush?: boolean): Promise<void>;
}

/**
 * Options of one limiter. `id` names it in a shared datastore, so replicas sharing it pace together;
 * `upstream` (genesys, servicenow) and, with a connections file, `connection` (the org's or instance's
 * name, also part of `id`) label its metrics.
 */
export type LimiterOptions = LimiterSettings & { id: string; upstream: string; connection?: string };

export type LimiterFactory = (options: LimiterOptions) => Limiter;

/** Only the bucket settings: bottleneck would take anything else (a datastore, a connection) as an instruction. */
export function settingsOf(options: LimiterSettings): LimiterSettings {
  const out: LimiterSettings = {};
  if (options.reservoir !== undefined) out.reservoir = options.reservoir;
  if (options.reservoirIncreaseAmount !== undefined) out.reservoirIncreaseAmount = options.reservoirIncreaseAmount;
  if (options.reservoirIncreaseInterval !== undefined) out.reservoirIncreaseInterval = options.reservoirIncreaseInterval;
  if (options.reservoirIncreaseMaximum !== undefined) out.reservoirIncreaseMaximum = options.reservoirIncreaseMaximum;
  return out;
}

/** What bottleneck's local datastore keeps after `updateSettings` (not in its typings). */
interface LocalStoreInternals {
  heartbeat?: unknown;
  _startHeartbeat?: () => void;
}

/**
 * A limiter in this process only. bottleneck 2.19.5's local datastore stops its reservoir-increase
 * timer for good on any `updateSettings` (SGrondin/bottleneck#185, open, no release since 2019): the
 * bucket would never refill again after Genesys announces another rate. We restart that timer after
 * every update; the unit test "keeps refilling after updateSettings" catches a bottleneck that changes this.
 */
export function createLocalLimiter(options: LimiterOptions): Limiter {
  const limiter = new Bottleneck({ ...settingsOf(options), id: options.id });
  const update = limiter.updateSettings.bind(limiter);
  const stop = limiter.stop.bind(limiter);
  return Object.assign(limiter, {
    updateSettings: async (settings: LimiterSettings) => {
      await (update(settingsOf(settings)) as unknown as Promise<unknown>);
      const store = (limiter as unknown as { _store: LocalStoreInternals })._store;
      if (typeof store._startHeartbeat === 'function') {
        clearInterval(store.heartbeat as NodeJS.Timeout);
        store.heartbeat = undefined;
        store._startHeartbeat();
      }
      return limiter;
    },
    stop: () => stop({ dropWaitingJobs: true }),
  });
}

/** A factory of process-local limiters: what every replica uses without REDIS_URL, and each one's fallback with it. */
export function limiterFactory(): LimiterFactory {
  return createLocalLimiter;
}
