import { Histogram, type Registry } from 'prom-client';

/** Request duration by method, matched route and status class (2xx…5xx): bounded labels only. */
export class HttpMetrics {
  private readonly histogram: Histogram<'method' | 'route' | 'status_class'>;

  constructor(registry: Registry) {
    this.histogram = new Histogram({
      name: 'trunkgate_http_request_duration_seconds',
      help: 'HTTP requests served, by method, route template and status class',
      labelNames: ['method', 'route', 'status_class'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
  }

  observe(method: string, route: string, status: number, seconds: number): void {
    const knownMethod = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'].includes(method) ? method : 'OTHER';
    this.histogram.observe({ method: knownMethod, route, status_class: `${Math.floor(status / 100)}xx` }, seconds);
  }
}
