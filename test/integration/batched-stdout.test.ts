import { execFileSync } from 'node:child_process';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BatchedStdout } from '../../src/log/batched-stdout.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

function recorder() {
  const writes: string[] = [];
  const out = new Writable({
    write(chunk: Buffer, _enc, cb) {
      writes.push(chunk.toString('utf8'));
      cb();
    },
  });
  return { out, writes };
}

/** Runs a logger in a child process (tsx) and returns what reached its stdout. */
function childStdout(script: string): string {
  try {
    return execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  } catch (err) {
    return (err as { stdout: string }).stdout;
  }
}

describe('BatchedStdout', () => {
  it('writes the lines of one event-loop turn with one write, in order, at the end of the turn', async () => {
    const { out, writes } = recorder();
    const stdout = new BatchedStdout(out);
    stdout.write('a\n');
    stdout.write('b\n');
    stdout.write('c\n');
    expect(writes).toEqual([]);
    await nextTurn();
    stdout.write('d\n');
    await nextTurn();
    expect(writes).toEqual(['a\nb\nc\n', 'd\n']);
  });

  it('writes what the logger still holds when the process exits or dies of an uncaught error', () => {
    const logTwo = `import { createLogger } from './src/log/logger.ts'; const log = createLogger(); log.info('first'); log.info('second');`;
    for (const ending of ['process.exit(0);', "throw new Error('boom');", '']) {
      const lines = childStdout(`${logTwo} ${ending}`)
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { message: string }).message);
      expect(lines, ending || 'normal end').toEqual(['first', 'second']);
    }
  });
});
