// `npm run bench -- audit`: the audit trail's reads (README, "Audit trail"). A store filled with BENCH_AUDIT_ENTRIES entries
// (default 200,000; one incident per 50 entries), then: the newest page and a page deep in the trail (keyset: the same cost),
// a subject page and an incident page (through their indexes), and the whole trail exported as NDJSON to a sink that takes
// each batch at once — entries/s, and how far the heap grows meanwhile (the export holds one batch, not the trail).
// BENCH_STORE=postgres BENCH_DATABASE_URL=postgres://… runs the same on PostgreSQL.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { auditQueries } from '../src/app/audit-trail.js';
import { decodeCursor } from '../src/audit/audit-views.js';
import { writeExport } from '../src/http/audit-export.js';
import { EXPORT_BATCH } from '../src/http/routes/audit-routes.js';
import { round } from './stats.js';
import { benchStores } from './support/bench-store.js';

const ENTRIES = Number(process.env.BENCH_AUDIT_ENTRIES ?? 200_000);

async function timed<T>(fn: () => Promise<T>, times = 20): Promise<{ value: T; ms: number }> {
  let value!: T;
  const started = process.hrtime.bigint();
  for (let i = 0; i < times; i += 1) value = await fn();
  return { value, ms: round(Number(process.hrtime.bigint() - started) / 1e6 / times, 3) };
}

export async function auditBench(): Promise<Record<string, unknown>> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'trunkgate-bench-audit-'));
  const stores = benchStores(tmp);
  const store = await stores.open('audit');
  try {
    const t0 = Date.now() - ENTRIES;
    const fillStarted = Date.now();
    for (let from = 0; from < ENTRIES; from += 1_000) {
      await store.transaction(async (tx) => {
        for (let n = from; n < Math.min(ENTRIES, from + 1_000); n += 1) {
          const incident = n % 50 === 0 ? `inc-${n / 50}` : null;
          if (incident) await tx.insertIncident(incidentRow(incident, t0 + n));
          await tx.addAudit({
            at: t0 + n,
            subject: `trunkgate:trunk:t${n % 200}`,
            incidentId: incident,
            kind: incident ? 'incident_opened' : 'trunk_state_changed',
            org: 'default',
            message: `registered → rejected: SIP 403 Forbidden (entry ${n})`,
            data: { sipCode: 403, n },
          });
        }
      });
    }
    const fillMs = Date.now() - fillStarted;
    const queries = auditQueries(store);
    const newest = await timed(() => queries.page({}, 100));
    const deepCursor = (await queries.page({}, 1, undefined)).entries[0]!.id;
    const deep = await timed(() => queries.page({}, 100, Number(deepCursor) - Math.floor(ENTRIES * 0.9)));
    const subject = await timed(() => queries.page({ subjects: ['trunkgate:trunk:t7'] }, 100));
    const incident = await timed(() => queries.page({ incident: `INC${String(Math.floor(ENTRIES / 100)).padStart(7, '0')}` }, 100));
    if (subject.value.entries.length !== 100 || incident.value.entries.length !== 1 || deep.value.entries.length !== 100)
      throw new Error('a page did not find what it should');
    const next = (await queries.page({}, 100)).nextCursor!;
    if (decodeCursor(next) === undefined) throw new Error('cursor does not round-trip');

    global.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    let peakHeap = heapBefore;
    let bytes = 0;
    let lines = 0;
    const sink = new Writable({
      write(chunk: Buffer | string, _enc, done) {
        bytes += chunk.length;
        lines += String(chunk).split('\n').length - 1;
        peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
        done();
      },
    });
    const exportStarted = process.hrtime.bigint();
    await writeExport(sink, queries.batches({}, { batchSize: EXPORT_BATCH }), 'ndjson', () => undefined);
    const exportMs = Number(process.hrtime.bigint() - exportStarted) / 1e6;
    if (lines !== ENTRIES) throw new Error(`exported ${lines} lines of ${ENTRIES}`);
    return {
      store: stores.kind,
      entries: ENTRIES,
      fillEntriesPerSec: Math.round(ENTRIES / (fillMs / 1000)),
      pageNewestMs: newest.ms,
      pageAt90PercentDepthMs: deep.ms,
      pageBySubjectMs: subject.ms,
      pageByIncidentNumberMs: incident.ms,
      exportEntriesPerSec: Math.round(ENTRIES / (exportMs / 1000)),
      exportMB: round(bytes / 1e6, 1),
      // Garbage included (no forced collection): the trail itself would be well over 100 MB of objects.
      exportHeapGrowthMB: round((peakHeap - heapBefore) / 1e6, 1),
    };
  } finally {
    await store.close();
    await stores.cleanup();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

function incidentRow(id: string, at: number) {
  return {
    id,
    correlationId: `trunkgate:trunk:${id}`,
    trunkId: 't1',
    trunkBaseId: null,
    kind: 'registration_rejected' as const,
    open: false,
    openedAt: at,
    resolvedAt: at,
    reopenedAt: null,
    reopenCount: 0,
    sysId: `sys-${id}`,
    number: `INC${id.slice(4).padStart(7, '0')}`,
    servicenowState: '6',
    lastNoteAt: null,
    changesSinceNote: 0,
    updatedAt: at,
    org: 'default',
    servicenowInstance: 'default',
  };
}
