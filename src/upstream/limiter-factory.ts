import Bottleneck from 'bottleneck';

/** The part of a bottleneck limiter the pacers use (so tests can hand in a fake). */
export interface Limiter {
  schedule<R>(options: { weight?: number }, fn: () => PromiseLike<R>): Promise<R>;
  updateSettings(options: Bottleneck.ConstructorOptions): unknown;
  currentReservoir(): Promise<number | null>;
  counts(): Bottleneck.Counts;
  disconnect(flush?: boolean): Promise<void>;
}

/** Options of one limiter; `id` names it in a shared datastore, so replicas sharing it pace together. */
export type LimiterOptions = Omit<Bottleneck.ConstructorOptions, 'datastore' | 'connection' | 'id'> & { id: string };

export type LimiterFactory = (options: LimiterOptions) => Limiter;

/**
 * Builds every upstream limiter. With a bottleneck Redis connection (REDIS_URL, a later change) the
 * limiters of all replicas share their counts under `id`; without one they are local to the process.
 */
export function createLimiter(options: LimiterOptions, connection?: Bottleneck.IORedisConnection): Limiter {
  return new Bottleneck({
    ...options,
    id: `trunkgate:${options.id}`,
    ...(connection ? { datastore: 'ioredis', connection, clearDatastore: false } : {}),
  });
}

/** A factory bound to one (optional) shared connection: what createApp hands to the pacers. */
export function limiterFactory(connection?: Bottleneck.IORedisConnection): LimiterFactory {
  return (options) => createLimiter(options, connection);
}
