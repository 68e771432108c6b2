import type { Response } from 'express';
import { RateLimitedError } from '../errors/app-error.js';
import type { Logger } from '../log/logger.js';

export interface ConsoleEventsOptions {
  /** Builds what the board shows; called at most once per interval, whatever the number of viewers. */
  build: () => Promise<unknown>;
  logger: Logger;
  /** How often the board is rebuilt while someone watches (a change is sent at most this late). */
  intervalMs?: number;
  /** Open streams on this replica at most; one more is 429 with Retry-After. */
  maxStreams?: number;
  /** A stream is ended after this long and the browser reconnects (re-authenticated, maybe to another replica). */
  maxAgeMs?: number;
  /** A comment line this often keeps proxies from closing an idle stream. */
  heartbeatMs?: number;
  /** A viewer that has not read this much of what was sent is dropped rather than buffered without end. */
  maxBufferedBytes?: number;
}

interface Stream {
  res: Response;
  timer: NodeJS.Timeout;
}

/**
 * `GET /console/events`: server-sent events carrying the whole board (`event: snapshot`) when it
 * changes. One timer builds the board for all viewers of this replica, and only while there is one;
 * streams are bounded in number, age and unread bytes, and all end when the app closes.
 */
export class ConsoleEvents {
  private readonly streams = new Set<Stream>();
  private readonly intervalMs: number;
  private readonly maxStreams: number;
  private readonly maxAgeMs: number;
  private readonly maxBufferedBytes: number;
  private readonly log: Logger;
  private tick?: NodeJS.Timeout;
  private heartbeat?: NodeJS.Timeout;
  private building = false;
  private last: string | null = null;
  private closed = false;

  constructor(private readonly options: ConsoleEventsOptions) {
    this.intervalMs = options.intervalMs ?? 2_000;
    this.maxStreams = options.maxStreams ?? 100;
    this.maxAgeMs = options.maxAgeMs ?? 10 * 60_000;
    this.maxBufferedBytes = options.maxBufferedBytes ?? 4 * 1024 * 1024;
    this.log = options.logger.child({ module: 'console/events' });
  }

  /** How many streams are open now. */
  get size(): number {
    return this.streams.size;
  }

  /** Takes over the response as an event stream (or throws 429 when this replica has as many as it keeps). */
  open(res: Response): void {
    if (this.closed || this.streams.size >= this.maxStreams) {
      throw new RateLimitedError(`This replica already serves ${this.maxStreams} console streams; retry later`, 30, [
        { message: 'console streams per replica', limit: this.maxStreams },
      ]);
    }
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      'X-Accel-Buffering': 'no',
      'X-Content-Type-Options': 'nosniff',
    });
    // How long the browser waits before reconnecting after the stream ends (EventSource does so by itself).
    res.write(`retry: ${Math.max(1_000, this.intervalMs)}\n\n`);
    const stream: Stream = { res, timer: setTimeout(() => this.end(stream, 'reconnect'), this.maxAgeMs) };
    this.streams.add(stream);
    // The response's close, not the request's: a request is closed once read, long before its viewer leaves.
    res.once('close', () => this.drop(stream));
    if (this.last !== null) this.send(stream, this.last);
    this.start();
    if (this.last === null) void this.refresh();
  }

  /** Ends every stream and stops the timers (before the server closes, so it need not wait for them). */
  close(): void {
    this.closed = true;
    for (const stream of [...this.streams]) this.end(stream, 'closing');
    this.stop();
  }

  /** Rebuilds the board now and sends it to everyone if it changed (tests, and the first viewer). */
  async refresh(): Promise<void> {
    if (this.building || this.streams.size === 0) return;
    this.building = true;
    try {
      const data = JSON.stringify(await this.options.build());
      if (data !== this.last) {
        this.last = data;
        for (const stream of [...this.streams]) this.send(stream, data);
      }
    } catch (err) {
      // The store is down, say: the board keeps the last picture and says how old it is.
      this.log.warn('cannot build the console board', { err });
      for (const stream of [...this.streams])
        this.write(stream, `event: problem\ndata: ${JSON.stringify({ at: new Date().toISOString() })}\n\n`);
    } finally {
      this.building = false;
    }
  }

  private send(stream: Stream, data: string): void {
    this.write(stream, `event: snapshot\ndata: ${data}\n\n`);
  }

  private write(stream: Stream, text: string): void {
    if (stream.res.writableLength > this.maxBufferedBytes) {
      this.log.info('a console viewer is not reading: its stream is dropped');
      stream.res.destroy();
      this.drop(stream);
      return;
    }
    stream.res.write(text);
  }

  private start(): void {
    if (this.tick) return;
    this.tick = setInterval(() => void this.refresh(), this.intervalMs);
    this.heartbeat = setInterval(() => {
      for (const stream of [...this.streams]) this.write(stream, ': keep-alive\n\n');
    }, 20_000);
    this.tick.unref();
    this.heartbeat.unref();
  }

  private stop(): void {
    clearInterval(this.tick);
    clearInterval(this.heartbeat);
    this.tick = undefined;
    this.heartbeat = undefined;
    // The next first viewer gets a fresh board, not one from before everybody left.
    this.last = null;
  }

  /** Ends a stream, telling the page why (`reconnect`: its age, the browser reconnects; `closing`: trunkgate stops). */
  private end(stream: Stream, why: 'reconnect' | 'closing'): void {
    stream.res.end(`event: ${why}\ndata: {}\n\n`);
    this.drop(stream);
  }

  private drop(stream: Stream): void {
    if (!this.streams.delete(stream)) return;
    clearTimeout(stream.timer);
    if (this.streams.size === 0) this.stop();
  }
}
