import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** A benchmark participant in its own process, so it has its own event loop, CPU time and RSS. */
export interface Child<T> {
  info: T;
  process: ChildProcess;
  /** Resident set now and its peak (VmHWM), in bytes, from /proc. */
  memory(): { rssBytes: number; peakRssBytes: number };
  /** CPU time used so far (user + system), in ms, from /proc. */
  cpuMs(): number;
  /** Sends a message over IPC and waits for the next answer. */
  request(message: unknown): Promise<unknown>;
  stop(): Promise<void>;
}

/**
 * Starts `script` (TypeScript through tsx, or plain .mjs as it is) with an IPC channel and waits for
 * its first message. stdout goes to /dev/null: a participant's logs cost what they cost, but nobody
 * reads them.
 */
export function startChild<T>(script: string, env: NodeJS.ProcessEnv, nodeArgs: string[] = []): Promise<Child<T>> {
  const loader = script.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const child = spawn(process.execPath, [...nodeArgs, ...loader, script], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start:\n${stderr}`)), 30_000);
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}:\n${stderr}`)));
    child.once('message', (info) => {
      clearTimeout(timer);
      resolve({
        info: info as T,
        process: child,
        memory: () => procMemory(child.pid!),
        cpuMs: () => procCpuMs(child.pid!),
        request: (message) =>
          new Promise((answered) => {
            child.once('message', answered);
            child.send(message as never);
          }),
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
            setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
          }),
      });
    });
  });
}

function procMemory(pid: number): { rssBytes: number; peakRssBytes: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
  return { rssBytes: kb('VmRSS'), peakRssBytes: kb('VmHWM') };
}

/** utime + stime of a process, in ms (clock ticks are 100 per second on Linux). */
function procCpuMs(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}
