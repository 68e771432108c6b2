import fc from 'fast-check';
import { createApp, type TrunkgateApp } from '../../src/app/create-app.js';
import { DEMO_CLIENT_SECRET, defaultTrunkIds } from '../../src/sim/genesys/index.js';
import { DEMO_OAUTH_CLIENT, DEMO_USER } from '../../src/sim/servicenow/index.js';
import type { Simulators } from '../../src/sim/start-simulators.js';
import { auditUpstream, checkResponse, contractValidators, secretForms, type UpstreamRecord } from './hostile-checks.js';
import { describeRequest, operationsFrom, requestArbitrary, send, type HostileRequest, type Operation } from './hostile-requests.js';
import type { Hints, Schema } from './schema-arbitrary.js';
import { writeCallersFile } from './callers-file.js';
import { startTestSims } from './sims.js';
import { memoryLogger, testConfig, TEST_API_KEY, TEST_USER } from './test-config.js';

/** The seed of the hostile-input run unless FUZZ_SEED says otherwise. */
export const DEFAULT_FUZZ_SEED = 20_260_116;

export function fuzzSeed(): number {
  const raw = process.env.FUZZ_SEED;
  return raw !== undefined && /^-?\d+$/.test(raw) ? Number(raw) : DEFAULT_FUZZ_SEED;
}

/**
 * trunkgate (in this process, on 127.0.0.1) against both simulators, with every request the simulators
 * receive recorded, and the request generator built from trunkgate's own OpenAPI document.
 */
export interface FuzzRig {
  url: string;
  app: TrunkgateApp;
  sims: Simulators;
  log: ReturnType<typeof memoryLogger>;
  ops: Operation[];
  arbitrary: fc.Arbitrary<HostileRequest>;
  upstream: UpstreamRecord[];
  /** Sends one request: its status, and what is wrong with the answer and with what reached the simulators meanwhile. */
  exchange(req: HostileRequest): Promise<{ status: number | null; problems: string[] }>;
  /** Waits for the outbox to empty (incidents opened by hostile events), then audits every upstream request and the log. */
  finish(): Promise<string[]>;
  close(): Promise<void>;
}

const LIMIT_BYTES = 10_240;
const LIMITED_KEY = 'fuzz-limited-key-0123456789';

export async function startFuzzRig(): Promise<FuzzRig> {
  // Limits far above what the run sends, so no answer is a 429 or 504 of our own making.
  const { sims, env } = await startTestSims({ genesys: { rateLimitPerMinute: 1_000_000 }, servicenowAuth: 'oauth-password' });
  const upstream: UpstreamRecord[] = [];
  // Every bearer token the simulators issued shows up in what trunkgate sent them: those are secrets too.
  const tokens = new Set<string>();
  const record = (r: UpstreamRecord) => {
    upstream.push(r);
    const auth = r.headers.authorization;
    if (typeof auth === 'string' && /^Bearer /i.test(auth)) tokens.add(auth.slice(7));
  };
  sims.servicenow.control.on('request', (e) =>
    record({ upstream: 'servicenow', method: e.method, path: e.path, query: e.query, headers: e.headers }),
  );
  sims.genesys.control.onRequest((e) =>
    record({ upstream: 'genesys', method: e.method, path: e.path, query: e.query, headers: e.headers }),
  );
  const failing = failingTrunkBodies(sims);
  const log = memoryLogger('info');
  // A second caller who may only read incidents and status, at most 60 times a minute: 403s and 429s.
  const callersFile = writeCallersFile(
    `callers:\n  - name: fuzz-limited\n    apiKey: ${LIMITED_KEY}\n    permissions: [actions:run:get-incident, status:read]\n    rateLimitPerMinute: 60\n`,
  );
  const config = testConfig({
    ...env,
    CALLERS_FILE: callersFile,
    INCIDENT_OPEN_AFTER_MS: '0',
    INCIDENT_NOTE_INTERVAL_MS: '0',
    GENESYS_RATE_LIMIT_PER_MINUTE: '1000000',
    MAX_PAYLOAD_BYTES: String(LIMIT_BYTES),
  });
  const app = await createApp(config, { logger: log.logger, processMetrics: false });
  const url = await app.listen(0, '127.0.0.1');
  const doc = (await (await fetch(`${url}/openapi-3.1.json`)).json()) as Schema;
  const ops = operationsFrom(doc);
  const validators = contractValidators(doc, ops);
  const hints = { ...(await seedHints(url)), trunk: failing };
  const arbitrary = requestArbitrary(ops, {
    hints,
    examples: examples(hints),
    creds: { apiKey: TEST_API_KEY, basic: TEST_USER, limitedKey: LIMITED_KEY },
    limitBytes: LIMIT_BYTES,
  });

  let known = { count: -1, forms: [] as string[] };
  const secrets = () => {
    if (known.count !== tokens.size) {
      const plain = [
        TEST_API_KEY,
        LIMITED_KEY,
        TEST_USER.password,
        DEMO_CLIENT_SECRET,
        DEMO_USER.password,
        DEMO_OAUTH_CLIENT.clientSecret,
        ...tokens,
      ];
      known = {
        count: tokens.size,
        forms: secretForms(plain, [
          [TEST_USER.user, TEST_USER.password],
          [DEMO_USER.username, DEMO_USER.password],
        ]),
      };
    }
    return known.forms;
  };

  return {
    url,
    app,
    sims,
    log,
    ops,
    arbitrary,
    upstream,
    async exchange(req) {
      const from = upstream.length;
      let problems: string[];
      let status: number | null = null;
      try {
        const res = await send(url, req);
        status = res.status;
        problems = checkResponse(req, res, { validators, secrets: secrets() });
      } catch (err) {
        problems = [`no answer: ${(err as Error).message}`];
      }
      problems.push(...upstream.slice(from).flatMap(auditUpstream));
      return {
        status,
        problems: problems.map(
          (p) => `${p}\n    while sending (an upstream problem may be the relay's, working meanwhile): ${describeRequest(req)}`,
        ),
      };
    },
    async finish() {
      const until = Date.now() + 15_000;
      while ((await app.store.outboxDepth()) > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
      const problems = upstream.flatMap(auditUpstream);
      const depth = await app.store.outboxDepth();
      if (depth > 0) problems.push(`${depth} deliveries still queued 15 s after the run`);
      const logged = log.text();
      for (const s of secrets()) if (logged.includes(s)) problems.push(`a secret (${s.slice(0, 4)}…) is in the log`);
      for (const line of log.lines()) if (line.level === 'error') problems.push(`logged at error: ${JSON.stringify(line).slice(0, 400)}`);
      return [...new Set(problems)];
    },
    async close() {
      await app.close();
      await sims.close();
    },
  };
}

/**
 * One complete body per operation, whose free text the generator replaces with hostile text the schema
 * accepts: what reaches ServiceNow's queries and journal, Genesys' paths and the incident texts.
 */
function examples(hints: Hints): Record<string, Array<Record<string, unknown>>> {
  const [sysId] = hints.sys_id as string[];
  const [trunk] = hints.trunkId as string[];
  const text = 'x';
  const failing = {
    eventId: text,
    trunkId: trunk,
    state: 'rejected',
    sipCode: 403,
    errorText: text,
    proxyAddress: text,
    trunkName: text,
    edge: { id: text, name: text },
    trunkBase: { id: text, name: text },
  };
  return {
    'POST /v1/events': [
      failing,
      { ...failing, state: 'dropped', sipCode: 408 },
      ...(hints.trunk as object[]).map((body) => ({
        eventId: text,
        trunkId: trunk,
        trunk: { ...body, id: trunk },
        trunkBase: { id: text, name: text },
      })),
    ],
    'POST /v1/actions/create-incident': [
      {
        short_description: text,
        description: text,
        urgency: 2,
        impact: '2',
        assignment_group: text,
        caller_id: text,
        category: text,
        cmdb_ci: text,
        correlation_id: text,
      },
    ],
    'POST /v1/actions/update-incident': [
      { sys_id: sysId, work_notes: text, comments: text, close_code: text, close_notes: text, assignment_group: text },
      { number: (hints.number as string[])[1], state: 2, work_notes: text },
    ],
    'POST /v1/actions/add-work-note': [
      { sys_id: sysId, work_notes: text },
      { number: (hints.number as string[])[0], work_notes: text },
    ],
    'POST /v1/actions/get-incident': [{ number: (hints.number as string[])[0] }],
  };
}

/** Genesys trunk bodies of a rejected and of a dropped trunk, as the simulator renders them (for `POST /v1/events` `trunk`). */
function failingTrunkBodies(sims: Simulators): unknown[] {
  const control = sims.genesys.control;
  const id = 'f0000000-0000-4000-8000-00000000f022';
  control.addTrunk({
    id,
    name: 'Fuzz carrier',
    edge: { id: 'fuzz-edge', name: 'fuzz-edge' },
    trunkBase: { id: 'fuzz-base', name: 'Fuzz base' },
    proxyAddressList: ['sip.fuzz.example:5061'],
  });
  const bodies = (['rejected', 'dropped'] as const).map((state) =>
    structuredClone(control.setTrunkState(id, { state, sipCode: state === 'rejected' ? 403 : undefined })),
  );
  control.removeTrunk(id);
  return bodies;
}

/** Real records to aim at: two incidents in ServiceNow (their sys_ids and numbers) and the simulator's trunks. */
async function seedHints(url: string): Promise<Hints> {
  const sysIds: string[] = [];
  const numbers: string[] = [];
  for (const n of [1, 2]) {
    const res = await fetch(`${url}/v1/actions/create-incident`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ short_description: `fuzz target ${n}`, correlation_id: `fuzz:${n}` }),
    });
    const body = (await res.json()) as { sys_id: string; number: string };
    sysIds.push(body.sys_id);
    numbers.push(body.number);
  }
  const trunks = Object.values(defaultTrunkIds);
  return {
    sys_id: sysIds,
    number: numbers,
    trunkId: trunks,
    id: trunks,
    name: ['create-incident', 'get-incident', 'update-incident', 'add-work-note', 'get-trunk', 'no-such-action'],
  };
}

export interface FuzzReport {
  seed: number;
  requests: number;
  durationMs: number;
  requestsPerSecond: number;
  statuses: Record<string, number>;
  byOperation: Record<string, number>;
  upstreamRequests: number;
  problems: string[];
}

/** Sends `runs` generated requests (no shrinking) and reports every problem found: the bench's run. */
export async function runHostileRequests(rig: FuzzRig, options: { seed: number; runs: number }): Promise<FuzzReport> {
  const requests = fc.sample(rig.arbitrary, { seed: options.seed, numRuns: options.runs });
  const statuses: Record<string, number> = {};
  const byOperation: Record<string, number> = {};
  const problems: string[] = [];
  const upstreamBefore = rig.upstream.length;
  const started = performance.now();
  for (const req of requests) {
    byOperation[req.op] = (byOperation[req.op] ?? 0) + 1;
    const { status, problems: found } = await rig.exchange(req);
    problems.push(...found);
    const key = String(status ?? 'none');
    statuses[key] = (statuses[key] ?? 0) + 1;
  }
  const durationMs = performance.now() - started;
  problems.push(...(await rig.finish()));
  return {
    seed: options.seed,
    requests: requests.length,
    durationMs: Math.round(durationMs),
    requestsPerSecond: Math.round((requests.length / durationMs) * 1000),
    statuses,
    byOperation,
    upstreamRequests: rig.upstream.length - upstreamBefore,
    problems: [...new Set(problems)],
  };
}
