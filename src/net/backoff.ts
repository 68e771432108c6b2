/**
 * Waits between attempts, written once. Attempts count from 1 (the wait after the first failure).
 * Which schedule a caller uses is its own decision, stated where it is made: fixed lists for upstream
 * calls (the vendors' SDK waits), exponential with jitter for background loops (token refresh, outbox,
 * notification channels), plain exponential where one process polls alone (token acceptance, Redis).
 */
export interface ExponentialSchedule {
  /** The wait after the first failure (the ceiling of it, with jitter). */
  baseMs: number;
  /** No wait is longer. */
  capMs: number;
}

/** min(cap, base·2^(attempt−1)): 1 → base, 2 → 2·base, … */
export function exponentialBackoff(attempt: number, schedule: ExponentialSchedule): number {
  return Math.min(schedule.capMs, schedule.baseMs * 2 ** Math.max(0, attempt - 1));
}

/**
 * Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"):
 * uniform in [0, exponentialBackoff]. Spreads out replicas that failed together the most.
 */
export function fullJitterBackoff(attempt: number, schedule: ExponentialSchedule, random: () => number = Math.random): number {
  return Math.round(random() * exponentialBackoff(attempt, schedule));
}

/** Exponential backoff with "equal jitter" (same source): uniform in [half, all] of exponentialBackoff, so a wait never collapses to 0. */
export function equalJitterBackoff(attempt: number, schedule: ExponentialSchedule, random: () => number = Math.random): number {
  const ceiling = exponentialBackoff(attempt, schedule);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** The wait after failed attempt `attempt` from a fixed list; the last one repeats, an empty list waits 0. */
export function fixedBackoff(waitsMs: readonly number[], attempt: number): number {
  return waitsMs[Math.min(attempt, waitsMs.length) - 1] ?? 0;
}
