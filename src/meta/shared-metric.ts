import type { Metric, Registry } from 'prom-client';

/**
 * The metric named `name` in `registry`, made by `make` the first time: several components of one
 * kind (one trunk monitor per Genesys org) then report into one metric, told apart by a label.
 */
export function sharedMetric<M extends Metric>(registry: Registry, name: string, make: () => M): M {
  return (registry.getSingleMetric(name) as M | undefined) ?? make();
}
