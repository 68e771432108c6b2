import { Registry } from 'prom-client';
import { createWatchdog } from '../../src/app/create-watchdog.js';
import { openPgStores } from '../../src/app/stores.js';
import { defaultIncidentMappingYaml } from '../../src/incidents/default-incident-mapping.js';
import { parseIncidentMapping } from '../../src/incidents/incident-mapping.js';
import type { RuleSettings } from '../../src/incidents/incident-rules.js';
import { systemClock } from '../../src/time/clock.js';
import type { TrunkSighting } from '../../src/trunks/trunk-sighting.js';
import type { AlertWebhook } from '../../src/upstream/alert-webhook.js';
import type { FakeServiceNowIncidents } from '../../src/upstream/fake-servicenow-incidents.js';
import type { ServiceNowIncidents, ServiceNowRecord } from '../../src/upstream/servicenow-client.js';
import { uniqueAppName } from './postgres.js';
import { memoryLogger } from './test-config.js';

/** Incidents open and resolve at once, so every change is a decision (and a delivery). */
export const IMMEDIATE: RuleSettings = { openAfterMs: 0, resolveAfterMs: 0, reopenWindowMs: 3_600_000, noteIntervalMs: 300_000 };

/**
 * One trunkgate replica's watchdog (createWatchdog, as createApp builds it) on its own stores and pool
 * over a shared schema: what a process of a multi-replica deployment runs, without HTTP. Nothing is
 * started; call what a test needs.
 */
export async function pgReplica(options: {
  name: string;
  url: string;
  schema: string;
  servicenow: ServiceNowIncidents;
  webhook?: AlertWebhook;
  settings?: RuleSettings;
  leaseMs?: number;
}) {
  const appName = uniqueAppName(options.name);
  const store = await openPgStores({ connectionString: options.url, schema: options.schema, poolSize: 4, applicationName: appName });
  const log = memoryLogger('info');
  const watchdog = createWatchdog({
    config: { incidents: { ...(options.settings ?? IMMEDIATE), groupBy: 'trunkBase' }, actionTimeoutMs: 10_000, alertAfterMs: 0 },
    stores: store,
    clock: systemClock,
    logger: log.logger,
    registry: new Registry(),
    servicenow: options.servicenow,
    webhook: options.webhook ?? null,
    mapping: parseIncidentMapping(defaultIncidentMappingYaml, {}, 'built-in'),
    relay: {
      owner: `relay-${options.name}`,
      ...(options.leaseMs ? { leaseMs: options.leaseMs } : {}),
      pollMs: 100,
      backoff: { baseMs: 20, capMs: 200 },
    },
    alertCheckMs: 60_000,
  });
  const { ingest, incidents, alerts } = watchdog;
  return {
    name: options.name,
    appName,
    store,
    ingest,
    incidents,
    relay: incidents.relay,
    alerts,
    log,
    async stop(): Promise<void> {
      await watchdog.stop(0);
      await store.close();
    },
  };
}

export type PgReplica = Awaited<ReturnType<typeof pgReplica>>;

/** A trunk sighting observed now. */
export function sighting(trunkId: string, state: TrunkSighting['state']): TrunkSighting {
  return {
    trunkId,
    name: `Trunk ${trunkId}`,
    edge: { id: 'e1', name: 'edge-1' },
    trunkBase: null,
    proxyAddress: 'sip.example.net:5061',
    state,
    signal: state === 'unknown' ? null : 'registration',
    sipCode: state === 'rejected' ? 403 : null,
    errorText: state === 'rejected' ? 'Forbidden' : null,
    connected: state !== 'dropped',
    registered: state === 'registered',
    stateTime: null,
    source: 'poll',
    observedAt: Date.now(),
  };
}

/**
 * The one ServiceNow all replicas deliver to, recording any moment two calls about the same incident
 * (correlation id) are in flight at once — which per-incident ordering must never allow. Every call
 * yields to the event loop first, so overlapping deliveries really overlap.
 */
export class OverlapProbe implements ServiceNowIncidents {
  readonly overlaps: string[] = [];
  private readonly inflight = new Map<string, number>();

  constructor(readonly inner: FakeServiceNowIncidents) {}

  private async around<T>(key: string, call: () => Promise<T>): Promise<T> {
    const n = this.inflight.get(key) ?? 0;
    if (n > 0) this.overlaps.push(key);
    this.inflight.set(key, n + 1);
    try {
      await new Promise((resolve) => setImmediate(resolve));
      return await call();
    } finally {
      this.inflight.set(key, this.inflight.get(key)! - 1);
    }
  }

  private keyOfSysId(sysId: string): string {
    return this.inner.records.get(sysId)?.correlation_id ?? sysId;
  }

  create(fields: Record<string, unknown>): Promise<ServiceNowRecord> {
    return this.around(String(fields.correlation_id), () => this.inner.create(fields));
  }

  update(sysId: string, fields: Record<string, unknown>): Promise<ServiceNowRecord> {
    return this.around(this.keyOfSysId(sysId), () => this.inner.update(sysId, fields));
  }

  query(q: string, options?: { limit?: number }): Promise<ServiceNowRecord[]> {
    const key = /^correlation_id=([^^]+)/.exec(q)?.[1] ?? this.keyOfSysId(/^sys_id=([^^]+)/.exec(q)?.[1] ?? q);
    return this.around(key, () => this.inner.query(q, options));
  }

  workNotesContain(sysId: string, text: string): Promise<boolean> {
    return this.around(this.keyOfSysId(sysId), () => this.inner.workNotesContain(sysId, text));
  }
}
