import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startProcess, type AppProcess } from '../support/app-process.js';
import { tempDataDir, testEnv } from '../support/test-config.js';

describe('start-up of the incident side (real process)', () => {
  const procs: AppProcess[] = [];
  afterEach(() => {
    for (const p of procs.splice(0)) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  });

  it('a broken mappings/incident.yaml stops start-up, naming the file and each problem', async () => {
    const mappings = tempDataDir();
    const file = path.join(mappings, 'incident.yaml');
    fs.writeFileSync(
      file,
      'fields: { assignment_group: "${NO_SUCH_TEAM}" }\nkinds: {}\nresolve: { close_code: x, close_notes: "{{nope}}" }\n',
    );
    const failure = await startProcess('test/support/serve-app.ts', testEnv({ MAPPINGS_DIR: mappings })).then(
      () => null,
      (err: Error) => err.message,
    );
    expect(failure).toContain(`${file} is not a valid incident mapping`);
    expect(failure).toContain('/fields/assignment_group: environment variable NO_SUCH_TEAM is not set');
    expect(failure).toContain('/kinds/registration_rejected: is required');
  });

  it('a second trunkgate on the same DATA_DIR stops at start instead of sharing the outbox', async () => {
    const env = testEnv({ DATA_DIR: tempDataDir() });
    procs.push(await startProcess('test/support/serve-app.ts', env));
    const failure = await startProcess('test/support/serve-app.ts', env).then(
      (p) => (procs.push(p), null),
      (err: Error) => err.message,
    );
    expect(failure).toContain('trunkgate.db is in use by another trunkgate process');
  });
});
