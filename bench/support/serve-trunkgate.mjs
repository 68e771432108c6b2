// Benchmark participant: trunkgate as `npm start` runs it — compiled (dist/, built by the bench), no
// tsx loader — configured from the environment; reports its URL over IPC. On {profile: 'start'|'stop'}
// it records a CPU profile of just that stretch (BENCH_CPU_PROF).
import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import path from 'node:path';
import { createApp } from '../../dist/app/create-app.js';
import { loadConfig } from '../../dist/config/config.js';
import { closeOnSignals } from '../../dist/app/lifecycle.js';

const app = await createApp(loadConfig(process.env, { requireCallerAuth: true }));
closeOnSignals(app, () => undefined);
const url = await app.listen(0, '127.0.0.1');

let session;
process.on('message', (message) => {
  void (async () => {
    if (message.memory) global.gc?.();
    if (message.memory)
      return process.send({
        memory: process.memoryUsage(),
        heap: (await import('node:v8')).getHeapSpaceStatistics().map((s) => [s.space_name, Math.round(s.space_size / 1e6)]),
      });
    if (message.profile === 'start') {
      session = new Session();
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.start');
    } else if (message.profile === 'stop' && session) {
      const { profile } = await session.post('Profiler.stop');
      fs.mkdirSync(path.dirname(message.file), { recursive: true });
      fs.writeFileSync(message.file, JSON.stringify(profile));
      session.disconnect();
      session = undefined;
    }
    process.send({ profiled: message.profile });
  })();
});
process.send({ url });
