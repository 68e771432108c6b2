import { Writable } from 'node:stream';

/** Writers holding lines; one 'exit' hook writes them all, however many loggers a process makes. */
const holding = new Set<BatchedStdout>();
let exitHooked = false;

/**
 * stdout for the logger, written once per event-loop turn: Node writes stdout (a file or a pipe)
 * synchronously, one system call per write, and under load that call was most of the cost of an
 * access line. Lines keep their order and reach stdout at the end of the turn that logged them;
 * lines still held when the process exits (process.exit, an uncaught error) are written then.
 */
export class BatchedStdout extends Writable {
  private held: string[] = [];

  constructor(private readonly out: NodeJS.WritableStream = process.stdout) {
    super({ decodeStrings: false });
    if (!exitHooked) {
      exitHooked = true;
      process.once('exit', () => holding.forEach((w) => w.flush()));
    }
  }

  override _write(chunk: string | Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.held.length === 0) {
      holding.add(this);
      setImmediate(() => this.flush());
    }
    this.held.push(typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
    callback();
  }

  /** Writes the held lines now. */
  flush(): void {
    if (this.held.length === 0) return;
    const text = this.held.join('');
    this.held = [];
    holding.delete(this);
    this.out.write(text);
  }
}
