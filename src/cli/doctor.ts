// `npm run doctor [-- --json] [--write-test] [--webhook-test]` (in the Docker image: `node dist/cli/doctor.js`):
// checks, before going live, everything `npm start` will need, with the same environment and mappings.
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, type Config } from '../config/config.js';
import { buildChecks } from '../doctor/build-checks.js';
import { fail, pass, resultOf, type CheckResult } from '../doctor/check.js';
import { shownPath } from '../doctor/probe-parts.js';
import { EXIT, humanReport, jsonReport, reportOf, scrub } from '../doctor/report.js';
import { DEFAULT_RUNNER_OPTIONS, runChecks, type RunnerOptions } from '../doctor/runner.js';
import { createLogger } from '../log/logger.js';

/** Where the doctor writes: stdout gets the report and nothing else, stderr the logs. */
export interface DoctorIO {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

export const USAGE = `usage: npm run doctor -- [--json] [--write-test] [--webhook-test]
  (in the Docker image: node dist/cli/doctor.js [flags])

Checks the configuration, mappings, store, Redis, Genesys Cloud, ServiceNow and the alert webhook
with the environment npm start reads. Reads only, unless asked:
  --json          print {"ok", "checks": [{"name", "status", "detail", "fix"}]} and nothing else
  --write-test    open one clearly labelled ServiceNow incident and cancel it at once (state 8)
  --webhook-test  post one test message to ALERT_WEBHOOK_URL
Exit code: 0 no check failed (warnings allowed), 1 a check failed, 78 invalid configuration.
`;

/** The configuration check: what npm start would say, word for word, when it refuses. */
function configurationResult(config: Config): CheckResult {
  const auth = config.gatewayAuth;
  const files = auth.callersFile ? ' (CALLERS_FILE and environment)' : ' (environment)';
  const configured = auth.callers.length > 0 ? `${auth.callers.length} caller${auth.callers.length > 1 ? 's' : ''}${files}` : '';
  const callers = [configured, auth.jwt ? 'JWT callers' : ''].filter(Boolean).join(' and ');
  const genesys = config.genesys.region ? `region ${config.genesys.region}` : `${config.genesys.loginUrl} / ${config.genesys.apiUrl}`;
  const store = config.databaseUrl ? `PostgreSQL (schema ${config.databaseSchema})` : `SQLite in ${shownPath(config.dataDir)}`;
  const sn = { basic: 'Basic auth', 'oauth-password': 'OAuth password grant', 'oauth-client-credentials': 'OAuth client_credentials' }[
    config.servicenow.auth.kind
  ];
  const detail = `valid: ${callers}; Genesys Cloud ${genesys}; ServiceNow ${config.servicenow.instanceUrl} (${sn}); store ${store}${config.redisUrl ? '; Redis' : ''}`;
  return resultOf('configuration', pass(detail));
}

/**
 * Runs the doctor as the command line does and returns its exit code; `env` and `argv` as
 * `process.env` and `process.argv.slice(2)`. Tests call it in-process; `runner` bounds the checks.
 */
export async function runDoctor(
  env: NodeJS.ProcessEnv,
  argv: string[],
  io: DoctorIO,
  runner: RunnerOptions = DEFAULT_RUNNER_OPTIONS,
): Promise<number> {
  let flags: { json?: boolean; 'write-test'?: boolean; 'webhook-test'?: boolean; help?: boolean };
  try {
    ({ values: flags } = parseArgs({
      args: argv,
      options: {
        json: { type: 'boolean' },
        'write-test': { type: 'boolean' },
        'webhook-test': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (err) {
    io.stderr.write(`trunkgate doctor: ${(err as Error).message}\n${USAGE}`);
    return EXIT.usage;
  }
  if (flags.help) {
    io.stdout.write(USAGE);
    return EXIT.ok;
  }
  const print = (checks: CheckResult[], elapsedMs: number) => {
    const report = reportOf(checks);
    io.stdout.write(flags.json ? jsonReport(report) : humanReport(report, elapsedMs));
    return report;
  };
  const started = performance.now();

  let config: Config;
  try {
    config = loadConfig(env, { requireCallerAuth: true });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    // The problems never echo a secret (src/config/env-reader.ts): shown as npm start shows them.
    print(
      [
        resultOf(
          'configuration',
          fail(err.message, 'set or correct each setting listed (README "Configuration"); npm start refuses to run until then'),
        ),
      ],
      performance.now() - started,
    );
    if (flags.json) io.stderr.write(`trunkgate: ${err.message}\n`);
    return EXIT.config;
  }

  const stderr = new Writable({
    write(chunk: Buffer, _encoding, done) {
      io.stderr.write(chunk.toString('utf8'));
      done();
    },
  });
  // Logs, if any, go to stderr: warnings unless LOG_LEVEL asks for more (or less).
  const logger = createLogger({ level: env.LOG_LEVEL ? config.logLevel : 'warn', stream: stderr });
  const plan = buildChecks(config, env, { writeTest: flags['write-test'] === true, webhookTest: flags['webhook-test'] === true }, logger);
  let checks: CheckResult[];
  try {
    checks = [configurationResult(config), ...(await runChecks(plan.lanes, runner))];
  } finally {
    plan.close();
  }
  const report = print(scrub(checks, plan.secrets()), performance.now() - started);
  return report.ok ? EXIT.ok : EXIT.failed;
}

/** True when this file is the program (node dist/cli/doctor.js, tsx src/cli/doctor.ts), not an import. */
function invokedDirectly(): boolean {
  if (!process.argv[1]) return false;
  try {
    return fs.realpathSync(path.resolve(process.argv[1])) === fs.realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (invokedDirectly()) {
  runDoctor(process.env, process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }).then(
    // Keep-alive sockets and the like would hold the process open: the report is out, so exit.
    (code) => process.stdout.write('', () => process.exit(code)),
    (err: unknown) => {
      process.stderr.write(`trunkgate doctor: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(EXIT.failed);
    },
  );
}
