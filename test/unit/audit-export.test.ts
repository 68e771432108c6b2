import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { auditQueries } from '../../src/app/audit-trail.js';
import { createFakeStores } from '../../src/app/stores.js';
import type { AuditEntryView } from '../../src/audit/audit-view-schema.js';
import { decodeCursor, encodeCursor } from '../../src/audit/audit-views.js';
import { csvField, exportLine, writeExport } from '../../src/http/audit-export.js';
import { subjectForms } from '../../src/trunks/subject-names.js';
import { incidentRow } from '../store/store-contract.js';

const T0 = Date.UTC(2026, 0, 1);

async function storeWith(count: number) {
  const stores = createFakeStores();
  for (let n = 1; n <= count; n += 1)
    await stores.addAudit({
      at: T0 + n,
      subject: `s${n % 3}`,
      incidentId: null,
      kind: 'trunk_state_changed',
      message: `m${n}`,
      data: { n },
    });
  const list = vi.spyOn(stores, 'listAudit');
  return { stores, list, queries: auditQueries(stores) };
}

/** A target that takes `room` writes at once, then reports backpressure until `drain()` is called. */
class SlowTarget extends Writable {
  readonly chunks: string[] = [];
  private pending: Array<() => void> = [];
  constructor() {
    super({ highWaterMark: 1, decodeStrings: false });
  }
  override _write(chunk: string, _enc: BufferEncoding, done: () => void) {
    this.chunks.push(String(chunk));
    this.pending.push(done);
  }
  release() {
    const pending = this.pending;
    this.pending = [];
    for (const done of pending) done();
  }
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('the audit cursor', () => {
  it('round-trips an id and refuses anything it did not make', () => {
    expect(decodeCursor(encodeCursor(42))).toBe(42);
    expect(encodeCursor(42)).not.toContain('42');
    for (const bad of [
      '',
      '42',
      'YTE6MA',
      Buffer.from('a1:-1').toString('base64url'),
      Buffer.from('a1:042').toString('base64url'),
      `${encodeCursor(42)}=`,
      'é',
    ])
      expect(decodeCursor(bad), bad).toBeUndefined();
  });
});

describe('subject forms (GET /v1/audit?subject=)', () => {
  it('matches a bare trunk or trunk base id to its subjects, with one org and with several; a full subject only to itself', () => {
    expect(subjectForms('t1', { perOrg: false, orgs: ['default'] })).toEqual(['t1', 'trunkgate:trunk:t1', 'trunkgate:trunkbase:t1']);
    expect(subjectForms('t1', { perOrg: true, orgs: ['emea', 'apac'] })).toEqual([
      't1',
      'trunkgate:trunk:t1',
      'trunkgate:trunkbase:t1',
      'trunkgate:emea:trunk:t1',
      'trunkgate:emea:trunkbase:t1',
      'trunkgate:apac:trunk:t1',
      'trunkgate:apac:trunkbase:t1',
    ]);
    expect(subjectForms('trunkgate:emea:trunk:t1', { perOrg: true, orgs: ['emea'] })).toEqual(['trunkgate:emea:trunk:t1']);
  });
});

describe('AuditQueries', () => {
  it('pages newest first with a cursor that continues without gaps or duplicates, and no cursor after the last page', async () => {
    const { queries } = await storeWith(25);
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 10; page += 1) {
      const got = await queries.page({}, 10, cursor === null ? undefined : decodeCursor(cursor));
      seen.push(...got.entries.map((e) => e.message));
      cursor = got.nextCursor;
      if (cursor === null) break;
    }
    expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => `m${25 - i}`));
    expect((await queries.page({}, 25)).nextCursor).toBeNull();
    expect((await queries.page({}, 24)).nextCursor).not.toBeNull();
  });

  it("shows an incident entry's correlation id, number and sys_id as the incident has them now, one lookup per page", async () => {
    const stores = createFakeStores();
    await stores.insertIncident(incidentRow({ id: 'i1', correlationId: 'trunkgate:trunk:t1', number: 'INC0010001', sysId: 'sys-1' }));
    await stores.insertIncident(incidentRow({ id: 'i2', correlationId: 'trunkgate:trunk:t2', trunkId: 't2' }));
    await stores.addAudit({
      at: T0,
      subject: 'trunkgate:trunk:t1',
      incidentId: 'i1',
      kind: 'incident_opened',
      message: 'opened',
      data: { kind: 'x' },
    });
    await stores.addAudit({
      at: T0 + 1,
      subject: 'trunkgate:trunk:t2',
      incidentId: 'i2',
      kind: 'incident_opened',
      message: 'opened',
      data: null,
    });
    await stores.addAudit({
      at: T0 + 2,
      subject: 'trunkgate:trunk:t9',
      incidentId: 'gone',
      kind: 'incident_noted',
      message: 'n',
      data: null,
    });
    await stores.addAudit({
      at: T0 + 3,
      subject: 'trunkgate:trunk:t1',
      incidentId: null,
      kind: 'trunk_state_changed',
      message: 's',
      data: null,
    });
    const byIds = vi.spyOn(stores, 'getIncidentsByIds');
    const { entries } = await auditQueries(stores).page({}, 10);
    expect(byIds).toHaveBeenCalledTimes(1);
    expect(byIds.mock.calls[0]![0]).toEqual(['gone', 'i2', 'i1']);
    expect(entries.map((e) => e.details)).toEqual([
      {},
      { incidentId: 'gone', correlationId: 'trunkgate:trunk:t9', number: null, sysId: null },
      { incidentId: 'i2', correlationId: 'trunkgate:trunk:t2', number: null, sysId: null },
      { kind: 'x', incidentId: 'i1', correlationId: 'trunkgate:trunk:t1', number: 'INC0010001', sysId: 'sys-1' },
    ]);
    expect(entries[3]).toMatchObject({
      id: expect.stringMatching(/^\d+$/),
      at: '2026-01-01T00:00:00.000Z',
      kind: 'incident_opened',
      org: null,
    });
    expect((await auditQueries(stores).page({ incident: 'INC0010001' }, 10)).entries.map((e) => e.kind)).toEqual(['incident_opened']);
    expect((await auditQueries(stores).page({ incident: 'INC0099999' }, 10)).entries).toEqual([]);
  });
});

describe('the audit export', () => {
  const entry = (over: Partial<AuditEntryView> = {}): AuditEntryView => ({
    id: '7',
    at: '2026-01-01T00:00:00.000Z',
    subject: 'trunkgate:trunk:t1',
    kind: 'trunk_state_changed',
    org: null,
    message: 'registered → rejected',
    details: {},
    ...over,
  });

  it('writes CSV as RFC 4180 does: quotes around commas, quotes and line breaks, quotes doubled, CRLF, details as JSON', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(exportLine(entry({ message: 'SIP 403, "Forbidden"', details: { sipCode: 403 }, org: 'emea' }), 'csv')).toBe(
      '7,2026-01-01T00:00:00.000Z,trunkgate:trunk:t1,trunk_state_changed,emea,"SIP 403, ""Forbidden""","{""sipCode"":403}"\r\n',
    );
    expect(JSON.parse(exportLine(entry(), 'ndjson'))).toEqual(entry());
    expect(exportLine(entry({ message: 'a\nb' }), 'ndjson').split('\n')).toHaveLength(2);
  });

  it('streams every entry in order, reading the store a batch at a time', async () => {
    const { queries, list } = await storeWith(1203);
    const out = new PassThrough();
    const chunks: string[] = [];
    out.on('data', (c: Buffer) => chunks.push(c.toString()));
    const begin = vi.fn();
    expect(await writeExport(Object.assign(out, { destroyed: false }), queries.batches({}, { batchSize: 500 }), 'ndjson', begin)).toBe(
      'complete',
    );
    const lines = chunks
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as AuditEntryView);
    expect(lines.map((l) => l.message)).toEqual(Array.from({ length: 1203 }, (_, i) => `m${1203 - i}`));
    expect(new Set(lines.map((l) => l.id)).size).toBe(1203);
    expect(list.mock.calls.map(([o]) => o.limit)).toEqual([500, 500, 500]);
    expect(list.mock.calls.map(([o]) => o.beforeId)).toEqual([undefined, 704, 204]);
    expect(begin).toHaveBeenCalledTimes(1);
  });

  it('reads the next batch only once the client has taken the last one, and stops reading when it goes away', async () => {
    const { queries, list } = await storeWith(2000);
    const target = new SlowTarget();
    const done = writeExport(target, queries.batches({}, { batchSize: 500 }), 'csv', () => undefined);
    for (let i = 0; i < 20; i += 1) await tick();
    // The header and the first batch are written; the client has not read them: no second read.
    expect(list).toHaveBeenCalledTimes(1);
    expect(target.chunks.join('')).toMatch(/^id,at,subject,kind,org,message,details\r\n/);
    // The client takes the header, then the batch: only then is the next batch read.
    target.release();
    for (let i = 0; i < 20; i += 1) await tick();
    expect(list).toHaveBeenCalledTimes(1);
    target.release();
    for (let i = 0; i < 20; i += 1) await tick();
    expect(list).toHaveBeenCalledTimes(2);
    target.destroy();
    expect(await done).toBe('closed');
    expect(list).toHaveBeenCalledTimes(2);
  });

  it('caps an export at `max` entries and writes the CSV header even when nothing matches', async () => {
    const { queries, list } = await storeWith(30);
    const out = new PassThrough();
    let text = '';
    out.on('data', (c: Buffer) => (text += c.toString()));
    await writeExport(Object.assign(out, { destroyed: false }), queries.batches({}, { batchSize: 500, max: 12 }), 'csv', () => undefined);
    expect(text.split('\r\n').filter(Boolean)).toHaveLength(13);
    expect(list.mock.calls.map(([o]) => o.limit)).toEqual([12]);
    const empty = new PassThrough();
    let none = '';
    empty.on('data', (c: Buffer) => (none += c.toString()));
    await writeExport(
      Object.assign(empty, { destroyed: false }),
      queries.batches({ kind: 'token_rotated' }, { batchSize: 500 }),
      'csv',
      () => undefined,
    );
    expect(none).toBe('id,at,subject,kind,org,message,details\r\n');
  });

  it('never ends an export the store failed part-way: the error reaches the caller and the stream is left cut, not complete', async () => {
    const { queries } = await storeWith(1203);
    // The store answers the first batch, then its connection drops.
    async function* failing() {
      for await (const batch of queries.batches({}, { batchSize: 500 })) {
        yield batch;
        throw new Error('connection terminated');
      }
    }
    const out = new PassThrough();
    let text = '';
    out.on('data', (c: Buffer) => (text += c.toString()));
    const begin = vi.fn();
    await expect(writeExport(Object.assign(out, { destroyed: false }), failing(), 'ndjson', begin)).rejects.toThrow(
      'connection terminated',
    );
    expect(begin).toHaveBeenCalledTimes(1);
    expect(text.split('\n').filter(Boolean)).toHaveLength(500);
    // Not ended: the HTTP layer then destroys the connection, so a client sees a cut transfer, never a short file.
    expect(out.writableEnded).toBe(false);
  });
});
