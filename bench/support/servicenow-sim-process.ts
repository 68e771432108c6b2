import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { ServiceNowSimStats, SimIncident } from '../../src/sim/servicenow/index.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The ServiceNow simulator in a child process, inspected through its control API. */
export interface ServiceNowSimProcess {
  url: string;
  incidents(): Promise<SimIncident[]>;
  stats(): Promise<ServiceNowSimStats>;
  /** A fresh instance: no incidents, tokens or counts. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

export async function startServiceNowSimProcess(): Promise<ServiceNowSimProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/support/serve-servicenow-sim.ts'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.startsWith('{"url"')) resolve((JSON.parse(line) as { url: string }).url);
    });
    void exited.then(() => reject(new Error('the ServiceNow simulator exited before listening')));
  });
  const control = async <T>(path: string, method = 'GET') =>
    (await (await fetch(`${url}/__sim/servicenow/${path}`, { method })).json()) as T;
  return {
    url,
    incidents: async () => (await control<{ incidents: SimIncident[] }>('incidents')).incidents,
    stats: () => control<ServiceNowSimStats>('stats'),
    reset: async () => void (await control('reset', 'POST')),
    close: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
