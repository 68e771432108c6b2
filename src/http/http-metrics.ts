import { Counter, Histogram, type Registry } from 'prom-client';

/** Request duration by method, matched route and status class (2xx…5xx), and requests per caller: bounded labels only. */
export class HttpMetrics {
  private readonly histogram: Histogram<'method' | 'route' | 'status_class'>;
  private readonly callers: Counter<'caller' | 'code'>;

  constructor(registry: Registry) {
    this.histogram = new Histogram({
      name: 'trunkgate_http_request_duration_seconds',
      help: 'HTTP requests served, by method, route template and status class',
      labelNames: ['method', 'route', 'status_class'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
    // A separate counter rather than a label on the histogram: callers × routes × buckets would multiply.
    this.callers = new Counter({
      name: 'trunkgate_caller_requests_total',
      help: 'Requests of authenticated /v1 callers, by configured caller name (every JWT caller as "jwt") and outcome ("ok" or the error code)',
      labelNames: ['caller', 'code'],
      registers: [registry],
    });
  }

  /** `caller` is a configured name or `jwt` (never a JWT subject: unbounded); `code` is `ok` or an error code. */
  countCaller(caller: string, code: string): void {
    this.callers.inc({ caller, code });
  }

  observe(method: string, route: string, status: number, seconds: number): void {
    const knownMethod = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'].includes(method) ? method : 'OTHER';
    this.histogram.observe({ method: knownMethod, route, status_class: `${Math.floor(status / 100)}xx` }, seconds);
  }
}
