import { collectDefaultMetrics, type Registry } from 'prom-client';

/**
 * prom-client's default metrics that break the Prometheus naming rules: gauges named like counters,
 * which `promtool check metrics` refuses ("non-counter metrics should not have "_total" suffix"). Each
 * repeats what its labelled sibling already says: `sum without (type) (trunkgate_nodejs_active_handles)`
 * is the total (prometheus/client_js#283, where the maintainers lean towards deleting them).
 */
const MISNAMED = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

/** The process metrics (CPU, memory, event loop, GC, handles) as `trunkgate_…`, without the misnamed three. */
export function collectProcessMetrics(registry: Registry, prefix = 'trunkgate_'): void {
  collectDefaultMetrics({ register: registry, prefix });
  for (const name of MISNAMED) registry.removeSingleMetric(prefix + name);
}
