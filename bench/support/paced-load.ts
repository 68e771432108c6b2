// An open-loop load generator: requests leave at an even pace (one every 1000/rate ms), whatever
// the answers do, and each latency is counted from the moment its request was due, not from when
// it happened to leave (no coordinated omission). autocannon's `overallRate` is not this: each of its
// connections sends its whole per-second quota back to back at the start of every second, so a
// "500 req/s" run is really a burst at full concurrency followed by silence, and its latencies
// measure queueing inside the burst rather than the added cost of one request.
import http from 'node:http';

export interface PacedLoadOptions {
  url: string;
  method?: string;
  headers: Record<string, string>;
  body: string;
  ratePerSec: number;
  seconds: number;
  /** A request still unanswered after this long counts as an error (default 15 s). */
  timeoutMs?: number;
}

export interface PacedSample {
  /** Wall-clock ms when the request was due. */
  at: number;
  /** ms from due to the last byte of the answer. */
  ms: number;
  status: number;
}

export interface PacedLoadResult {
  samples: PacedSample[];
  sent: number;
  errors: number;
  /** The first few failures (status or network error), for the report. */
  firstErrors: string[];
  /** ms the generator itself ran behind schedule at worst (a busy machine shows here). */
  maxSendLagMs: number;
  /** ms from the first request's due time to the last answer. */
  elapsedMs: number;
}

export async function pacedLoad(options: PacedLoadOptions): Promise<PacedLoadResult> {
  const target = new URL(options.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const interval = 1000 / options.ratePerSec;
  const total = Math.round(options.ratePerSec * options.seconds);
  const timeoutMs = options.timeoutMs ?? 15_000;
  const headers = { ...options.headers, 'Content-Length': String(Buffer.byteLength(options.body)) };
  const samples: PacedSample[] = [];
  const firstErrors: string[] = [];
  let errors = 0;
  let sent = 0;
  let answered = 0;
  let maxSendLagMs = 0;
  const fail = (text: string) => {
    errors += 1;
    if (firstErrors.length < 5) firstErrors.push(text);
  };

  const startPerf = performance.now();
  const startWall = Date.now();
  await new Promise<void>((resolve) => {
    const settle = () => {
      answered += 1;
      if (answered === total) resolve();
    };
    const send = (index: number) => {
      const due = startPerf + index * interval;
      maxSendLagMs = Math.max(maxSendLagMs, performance.now() - due);
      const req = http.request(
        {
          host: target.hostname,
          port: target.port,
          path: `${target.pathname}${target.search}`,
          method: options.method ?? 'POST',
          headers,
          agent,
          timeout: timeoutMs,
        },
        (res) => {
          res.on('data', () => undefined);
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            samples.push({ at: startWall + index * interval, ms: performance.now() - due, status });
            if (status < 200 || status > 299) fail(`HTTP ${status}`);
            settle();
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      req.on('error', (err) => {
        fail(err.message);
        settle();
      });
      req.end(options.body);
    };
    // Timers fire at best every ~1 ms; each tick sends every request that has fallen due.
    const tick = () => {
      const due = Math.min(total, Math.floor((performance.now() - startPerf) / interval) + 1);
      while (sent < due) send(sent++);
      if (sent < total) setTimeout(tick, Math.max(0, startPerf + sent * interval - performance.now()));
    };
    tick();
  });
  agent.destroy();
  return { samples, sent, errors, firstErrors, maxSendLagMs, elapsedMs: performance.now() - startPerf };
}
