// Per-sighting cost of the trunk ingest and the incident decision taken on it, closed loop (one sighting
// after another, nothing else running): what a maintenance-window check on the sighting path must not
// change. Reported with no window, and with an active window that covers none of the trunks (the
// windows are then consulted on every failing sighting, from memory).
import { Registry } from 'prom-client';
import { createWatchdog } from '../src/app/create-watchdog.js';
import type { AppStores as Store } from '../src/app/stores.js';
import { defaultIncidentMappingYaml } from '../src/incidents/default-incident-mapping.js';
import { parseIncidentMapping } from '../src/incidents/incident-mapping.js';
import { createLogger } from '../src/log/logger.js';
import { systemClock } from '../src/time/clock.js';
import type { TrunkState } from '../src/trunks/trunk-state.js';
import type { ServiceNowIncidents } from '../src/upstream/servicenow-client.js';
import { round } from './stats.js';

const SIGHTINGS = Number(process.env.BENCH_INGEST_SIGHTINGS ?? 5_000);
const TRUNKS = 200;
const STATES: TrunkState[] = ['registered', 'rejected', 'registered', 'dropped', 'unknown'];

/** Never called: the relay is not started (the figure is the sighting path alone). */
const unused: ServiceNowIncidents = {
  create: async () => ({ sys_id: 'x', number: 'INC0', state: '1' }),
  update: async (sysId) => ({ sys_id: sysId, state: '1' }),
  query: async () => [],
  workNotesContain: async () => false,
};

export async function ingestRun(openStore: (name: string) => Promise<Store>, options: { name: string; window: boolean }) {
  const store = await openStore(options.name);
  const watchdog = createWatchdog({
    config: {
      incidents: { openAfterMs: 0, resolveAfterMs: 300_000, reopenWindowMs: 3_600_000, noteIntervalMs: 300_000, groupBy: 'trunkBase' },
      actionTimeoutMs: 10_000,
      alertAfterMs: 120_000,
    },
    stores: store,
    clock: systemClock,
    logger: createLogger({ level: 'error' }),
    registry: new Registry(),
    servicenow: unused,
    webhook: null,
    mapping: parseIncidentMapping(defaultIncidentMappingYaml, {}, 'built-in'),
  });
  // Optional chaining: the same file measures a build from before maintenance windows existed.
  const maintenance = (watchdog.incidents as { maintenance?: typeof watchdog.incidents.maintenance }).maintenance;
  if (options.window)
    await maintenance!.create(
      { scope: { trunkId: 'not-a-bench-trunk' }, endsAt: new Date(Date.now() + 3_600_000).toISOString(), reason: 'bench' },
      'bench',
    );
  const sighting = (i: number, state: TrunkState) => ({
    trunkId: `ingest-${String(i % TRUNKS).padStart(4, '0')}`,
    name: `Ingest trunk ${i % TRUNKS}`,
    edge: { id: 'edge-1', name: 'edge-1' },
    trunkBase: null,
    proxyAddress: 'sip.example.net:5061',
    state,
    signal: 'registration' as const,
    sipCode: state === 'rejected' ? 403 : null,
    errorText: state === 'rejected' ? 'Forbidden' : null,
    connected: state !== 'dropped',
    registered: state === 'registered',
    stateTime: null,
    source: 'poll' as const,
    observedAt: Date.now(),
  });
  for (let i = 0; i < TRUNKS; i += 1) await watchdog.ingest.record(sighting(i, 'registered'));
  const started = performance.now();
  for (let i = 0; i < SIGHTINGS; i += 1) await watchdog.ingest.record(sighting(i, STATES[Math.floor(i / TRUNKS) % STATES.length]!));
  const ms = performance.now() - started;
  const incidents = (await store.listIncidents({ limit: 100_000 })).length;
  await store.close();
  return { window: options.window, sightings: SIGHTINGS, microsPerSighting: round((ms * 1000) / SIGHTINGS, 1), incidents };
}
