import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OpenIncidentConflictError, type IncidentRow } from '../../src/incidents/incident-store.js';
import type { AppStores as Store } from '../../src/app/stores.js';
import type { TrunkRow } from '../../src/trunks/trunk-store.js';
import { maintenanceContract } from './maintenance-contract.js';

/** How a store implementation under test is made and thrown away (a fresh, empty store each time). */
export interface StoreFactory {
  create(): Promise<Store>;
  destroy(store: Store): Promise<void>;
}

const T0 = Date.UTC(2026, 0, 1, 12);

export function trunkRow(overrides: Partial<TrunkRow> = {}): TrunkRow {
  return {
    trunkId: 't1',
    name: 'Lumen SIP - NYC',
    edgeId: 'e1',
    edgeName: 'edge-nyc-01',
    proxyAddress: 'sip-a.example.net:5061',
    state: 'registered',
    since: T0,
    sipCode: null,
    errorText: null,
    connected: true,
    registered: true,
    stateTime: null,
    source: 'poll',
    lastSeenAt: T0,
    failingSince: null,
    healthySince: T0,
    trunkBaseId: null,
    trunkBaseName: null,
    signal: 'registration',
    health: null,
    goneAt: null,
    org: 'default',
    ...overrides,
  };
}

export function incidentRow(overrides: Partial<IncidentRow> = {}): IncidentRow {
  return {
    id: 'i1',
    correlationId: 'trunkgate:trunk:t1',
    trunkId: 't1',
    trunkBaseId: null,
    kind: 'registration_rejected',
    open: true,
    openedAt: T0,
    resolvedAt: null,
    reopenedAt: null,
    reopenCount: 0,
    sysId: null,
    number: null,
    servicenowState: null,
    lastNoteAt: null,
    changesSinceNote: 0,
    updatedAt: T0,
    org: 'default',
    servicenowInstance: 'default',
    ...overrides,
  };
}

/** The behaviour every Store must have; run it against each implementation (SQLite, PostgreSQL, the fake). */
export function describeStoreContract(name: string, factory: StoreFactory): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await factory.create();
    });
    afterEach(async () => {
      await factory.destroy(store);
    });

    describe('trunks', () => {
      it('upserts, reads back and lists trunks by name; an unknown trunk is null', async () => {
        await store.upsertTrunk(trunkRow({ trunkId: 't2', name: 'B trunk' }));
        await store.upsertTrunk(trunkRow({ trunkId: 't1', name: 'A trunk' }));
        await store.upsertTrunk(
          trunkRow({
            trunkId: 't1',
            name: 'A trunk',
            state: 'rejected',
            sipCode: 403,
            errorText: '403 Forbidden',
            connected: null,
            registered: false,
            failingSince: T0 + 5,
            healthySince: null,
          }),
        );
        expect(await store.getTrunk('t1')).toEqual(
          trunkRow({
            trunkId: 't1',
            name: 'A trunk',
            state: 'rejected',
            sipCode: 403,
            errorText: '403 Forbidden',
            connected: null,
            registered: false,
            failingSince: T0 + 5,
            healthySince: null,
          }),
        );
        expect((await store.listTrunks()).map((t) => t.trunkId)).toEqual(['t1', 't2']);
        expect(await store.getTrunk('nope')).toBeNull();
      });

      it("keeps a trunk's base, signal, health fields and gone time, and lists a base's trunks", async () => {
        const health = {
          connectedStatus: { connected: true },
          registersStatus: [],
          optionsStatus: [{ proxyAddress: 'p:5060', optionState: false, errorInfo: { code: '408' } }],
          registersEnabledStatus: 'NOT_SUPPORTED',
        };
        const cloud = trunkRow({
          trunkId: 'c1',
          name: 'Cloud NYC',
          trunkBaseId: 'b1',
          trunkBaseName: 'Carrier',
          state: 'dropped',
          signal: 'options',
          registered: null,
          health,
          failingSince: T0,
        });
        await store.upsertTrunk(cloud);
        await store.upsertTrunk(
          trunkRow({
            trunkId: 'c2',
            name: 'Cloud CHI',
            trunkBaseId: 'b1',
            trunkBaseName: 'Carrier',
            state: 'connected',
            signal: 'options',
            registered: null,
            goneAt: T0 + 1,
          }),
        );
        await store.upsertTrunk(trunkRow({ trunkId: 'x', name: 'Other', trunkBaseId: 'b2' }));
        expect(await store.getTrunk('c1')).toEqual(cloud);
        expect((await store.listTrunksOfBase('b1')).map((t) => [t.trunkId, t.goneAt])).toEqual([
          ['c2', T0 + 1],
          ['c1', null],
        ]);
        expect(await store.listTrunksOfBase('none')).toEqual([]);
      });

      it('lists failing trunks due to open: episode old enough, no open incident', async () => {
        await store.upsertTrunk(trunkRow({ trunkId: 'old', state: 'rejected', failingSince: T0 }));
        await store.upsertTrunk(trunkRow({ trunkId: 'young', state: 'dropped', failingSince: T0 + 10_000 }));
        await store.upsertTrunk(trunkRow({ trunkId: 'healthy-again', state: 'registered', failingSince: T0 }));
        await store.upsertTrunk(trunkRow({ trunkId: 'has-incident', state: 'dropped', failingSince: T0 }));
        await store.insertIncident(incidentRow({ id: 'x', correlationId: 'k:has-incident', trunkId: 'has-incident' }));
        // A trunk an open trunk-base incident already concerns is not due either; a gone trunk never is.
        await store.upsertTrunk(trunkRow({ trunkId: 'in-base-incident', state: 'rejected', failingSince: T0, trunkBaseId: 'b1' }));
        await store.insertIncident(
          incidentRow({ id: 'y', correlationId: 'trunkgate:trunkbase:b1', trunkId: 'has-incident', trunkBaseId: 'b1' }),
        );
        await store.addIncidentTrunks('y', ['in-base-incident'], T0);
        await store.upsertTrunk(trunkRow({ trunkId: 'gone', state: 'rejected', failingSince: T0, goneAt: T0 + 1 }));
        expect((await store.listTrunksDueToOpen(T0 + 5_000)).map((t) => t.trunkId)).toEqual(['old']);
        await store.updateIncident('y', { open: false });
        expect((await store.listTrunksDueToOpen(T0 + 5_000)).map((t) => t.trunkId).sort()).toEqual(['in-base-incident', 'old']);
      });

      it('keeps state changes newest first, limited, optionally after a time', async () => {
        for (let i = 1; i <= 5; i += 1) {
          await store.addTrunkEvent({
            trunkId: 't1',
            at: T0 + i,
            state: i % 2 ? 'rejected' : 'registered',
            previousState: null,
            signal: 'registration',
            sipCode: i % 2 ? 403 : null,
            errorText: null,
            proxyAddress: null,
            source: 'event',
            eventId: `e${i}`,
          });
        }
        await store.addTrunkEvent({
          trunkId: 't2',
          at: T0,
          state: 'dropped',
          previousState: null,
          signal: 'registration',
          sipCode: null,
          errorText: 'x',
          proxyAddress: null,
          source: 'poll',
          eventId: null,
        });
        const events = await store.listTrunkEvents('t1', { limit: 3 });
        expect(events.map((e) => e.eventId)).toEqual(['e5', 'e4', 'e3']);
        expect(events[0]).toMatchObject({ trunkId: 't1', at: T0 + 5, state: 'rejected', sipCode: 403, source: 'event' });
        expect((await store.listTrunkEvents('t1', { limit: 10, afterAt: T0 + 3 })).map((e) => e.eventId)).toEqual(['e5', 'e4']);
      });

      it('remembers processed event ids once', async () => {
        expect(await store.markEventProcessed('ev-1', T0)).toBe(true);
        expect(await store.markEventProcessed('ev-1', T0 + 1)).toBe(false);
        expect(await store.markEventProcessed('ev-2', T0)).toBe(true);
      });
    });

    describe('incidents', () => {
      it('allows one open incident per correlation id (unique index), any number of resolved ones', async () => {
        await store.insertIncident(incidentRow({ id: 'a' }));
        await expect(store.insertIncident(incidentRow({ id: 'b' }))).rejects.toBeInstanceOf(OpenIncidentConflictError);
        await store.updateIncident('a', { open: false, resolvedAt: T0 + 1 });
        await store.insertIncident(incidentRow({ id: 'b', openedAt: T0 + 2 }));
        await expect(store.updateIncident('a', { open: true })).rejects.toBeInstanceOf(OpenIncidentConflictError);
        await store.insertIncident(incidentRow({ id: 'c', correlationId: 'other', open: true }));
        expect((await store.getOpenIncident('trunkgate:trunk:t1'))?.id).toBe('b');
        expect((await store.getLatestIncident('trunkgate:trunk:t1'))?.id).toBe('b');
        expect((await store.listOpenIncidents()).map((i) => i.id).sort()).toEqual(['b', 'c']);
      });

      it('updates only the fields given and reads them back', async () => {
        await store.insertIncident(incidentRow());
        await store.updateIncident('i1', {
          sysId: 'abc',
          number: 'INC0010001',
          servicenowState: '1',
          lastNoteAt: T0 + 9,
          changesSinceNote: 3,
        });
        expect(await store.getIncident('i1')).toEqual(
          incidentRow({ sysId: 'abc', number: 'INC0010001', servicenowState: '1', lastNoteAt: T0 + 9, changesSinceNote: 3 }),
        );
        expect(await store.getIncident('nope')).toBeNull();
        expect(await store.getOpenIncident('nope')).toBeNull();
      });

      it('lists incidents newest first with their pending deliveries and first delivery error, filtered', async () => {
        await store.insertIncident(incidentRow({ id: 'old', openedAt: T0, open: false, resolvedAt: T0 + 1 }));
        await store.insertIncident(incidentRow({ id: 'new', openedAt: T0 + 10 }));
        await store.insertIncident(incidentRow({ id: 'other', correlationId: 'k2', trunkId: 't2', openedAt: T0 + 5 }));
        await store.enqueueDelivery({ incidentId: 'new', operation: 'create', payload: {}, at: T0 });
        await store.enqueueDelivery({ incidentId: 'new', operation: 'note', payload: {}, at: T0 });
        const [claimed] = await store
          .claimDeliveries({ owner: 'r', now: T0, leaseMs: 1000, limit: 10 })
          .then((c) => c.filter((d) => d.incidentId === 'new'));
        await store.retryDelivery(claimed!.id, 'r', { nextAttemptAt: T0 + 5, error: 'servicenow answered 503', inDoubt: false });
        const all = await store.listIncidents({ limit: 10 });
        expect(all.map((i) => [i.id, i.pendingDeliveries, i.lastDeliveryError])).toEqual([
          ['new', 2, 'servicenow answered 503'],
          ['other', 0, null],
          ['old', 0, null],
        ]);
        expect((await store.listIncidents({ open: true, limit: 10 })).map((i) => i.id)).toEqual(['new', 'other']);
        expect((await store.listIncidents({ open: false, limit: 10 })).map((i) => i.id)).toEqual(['old']);
        expect((await store.listIncidents({ trunkId: 't2', limit: 10 })).map((i) => i.id)).toEqual(['other']);
        expect((await store.listIncidents({ limit: 1 })).map((i) => i.id)).toEqual(['new']);
      });

      it('keeps the trunks an incident concerns: its first trunk, then those added, each once', async () => {
        await store.insertIncident(incidentRow({ id: 'base', correlationId: 'trunkgate:trunkbase:b1', trunkId: 't1', trunkBaseId: 'b1' }));
        await store.insertIncident(
          incidentRow({ id: 'creds', correlationId: 'trunkgate:credentials:genesys', trunkId: null, kind: 'credentials_failed' }),
        );
        await store.addIncidentTrunks('base', ['t3', 't2', 't1'], T0);
        await store.addIncidentTrunks('base', ['t4'], T0 + 20);
        expect(await store.listIncidentTrunks('base')).toEqual(['t1', 't2', 't3', 't4']);
        expect(await store.listIncidentTrunks('creds')).toEqual([]);
        const listed = await store.listIncidents({ limit: 10 });
        expect(listed.map((i) => [i.id, i.trunkBaseId, i.trunkIds])).toEqual(
          expect.arrayContaining([
            ['base', 'b1', ['t1', 't2', 't3', 't4']],
            ['creds', null, []],
          ]),
        );
        expect((await store.listIncidents({ trunkId: 't3', limit: 10 })).map((i) => i.id)).toEqual(['base']);
        expect((await store.getIncident('base'))?.trunkBaseId).toBe('b1');
      });
    });

    describe('transactions', () => {
      it('commits every write of a transaction together', async () => {
        await store.transaction(async (tx) => {
          await tx.upsertTrunk(trunkRow({ state: 'rejected' }));
          await tx.insertIncident(incidentRow());
          await tx.enqueueDelivery({ incidentId: 'i1', operation: 'create', payload: { fields: { a: 1 } }, at: T0 });
        });
        expect((await store.getTrunk('t1'))?.state).toBe('rejected');
        expect(await store.outboxDepth()).toBe(1);
      });

      it('rolls every write back when the callback throws (a state change never lands without its outbox rows)', async () => {
        await expect(
          store.transaction(async (tx) => {
            await tx.upsertTrunk(trunkRow({ state: 'rejected' }));
            await tx.insertIncident(incidentRow());
            await tx.enqueueDelivery({ incidentId: 'i1', operation: 'create', payload: {}, at: T0 });
            throw new Error('boom');
          }),
        ).rejects.toThrow('boom');
        expect(await store.getTrunk('t1')).toBeNull();
        expect(await store.getIncident('i1')).toBeNull();
        expect(await store.outboxDepth()).toBe(0);
      });

      it('rolls back when the unique index refuses a second open incident inside the transaction', async () => {
        await store.insertIncident(incidentRow({ id: 'first' }));
        await expect(
          store.transaction(async (tx) => {
            await tx.upsertTrunk(trunkRow());
            await tx.insertIncident(incidentRow({ id: 'second' }));
          }),
        ).rejects.toBeInstanceOf(OpenIncidentConflictError);
        expect(await store.getTrunk('t1')).toBeNull();
      });

      it('keeps concurrent transactions atomic each: one failing among them rolls back alone', async () => {
        const results = await Promise.allSettled([
          store.transaction(async (tx) => tx.upsertTrunk(trunkRow({ trunkId: 'a' }))),
          store.transaction(async (tx) => {
            await tx.upsertTrunk(trunkRow({ trunkId: 'b' }));
            await tx.insertIncident(incidentRow({ id: 'x1' }));
            await tx.insertIncident(incidentRow({ id: 'x2' }));
          }),
          store.transaction(async (tx) => tx.upsertTrunk(trunkRow({ trunkId: 'c' }))),
          store.upsertTrunk(trunkRow({ trunkId: 'd' })),
        ]);
        expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
        expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(OpenIncidentConflictError);
        expect((await store.listTrunks()).map((t) => t.trunkId)).toEqual(['a', 'c', 'd']);
        expect(await store.getIncident('x1')).toBeNull();
      });

      // SQLite and the fake make the reader wait for the transaction; PostgreSQL answers from the last commit.
      it('never shows other callers the uncommitted writes of a transaction', async () => {
        let release!: () => void;
        const gate = new Promise<void>((r) => (release = r));
        const tx = store.transaction(async (t) => {
          await t.upsertTrunk(trunkRow({ state: 'dropped' }));
          await gate;
          throw new Error('abandon');
        });
        await new Promise((r) => setImmediate(r));
        const read = store.getTrunk('t1');
        release();
        await expect(tx).rejects.toThrow('abandon');
        expect(await read).toBeNull();
      });

      it('refuses a handle used after its transaction ended', async () => {
        let leaked: Parameters<Parameters<Store['transaction']>[0]>[0] | undefined;
        await store.transaction(async (tx) => {
          leaked = tx;
        });
        await expect(leaked!.getTrunk('t1')).rejects.toThrow(/after its transaction ended/);
      });

      it('refuses a direct store call from inside a transaction (it would wait for itself, or escape the transaction)', async () => {
        await expect(store.transaction(async () => store.getTrunk('t1'))).rejects.toThrow(/use the transaction handle/);
        await expect(store.transaction(async () => store.transaction(async () => 1))).rejects.toThrow(/use the transaction handle/);
      });

      it('keeps a transaction usable after the unique index refused a write in it', async () => {
        await store.insertIncident(incidentRow({ id: 'first' }));
        const outcome = await store.transaction(async (tx) => {
          await tx.upsertTrunk(trunkRow({ state: 'rejected' }));
          const refused = await tx.insertIncident(incidentRow({ id: 'second' })).then(
            () => null,
            (err: unknown) => err,
          );
          await tx.addAudit({
            at: T0,
            subject: 't1',
            incidentId: null,
            kind: 'incident_opened',
            message: 'someone else opened it',
            data: null,
          });
          return refused;
        });
        expect(outcome).toBeInstanceOf(OpenIncidentConflictError);
        expect((await store.getTrunk('t1'))?.state).toBe('rejected');
        expect((await store.listAudit({ limit: 10 })).map((a) => a.message)).toEqual(['someone else opened it']);
        expect(await store.getIncident('second')).toBeNull();
      });
    });

    describe('outbox', () => {
      beforeEach(async () => {
        await store.insertIncident(incidentRow({ id: 'a', correlationId: 'ka' }));
        await store.insertIncident(incidentRow({ id: 'b', correlationId: 'kb' }));
      });

      it('hands out only the first undelivered entry of each incident, in order', async () => {
        const a1 = await store.enqueueDelivery({ incidentId: 'a', operation: 'create', payload: { n: 1 }, at: T0 });
        const a2 = await store.enqueueDelivery({ incidentId: 'a', operation: 'note', payload: { n: 2 }, at: T0 });
        const b1 = await store.enqueueDelivery({ incidentId: 'b', operation: 'create', payload: { n: 3 }, at: T0 + 1 });
        const first = await store.claimDeliveries({ owner: 'r1', now: T0 + 1, leaseMs: 10_000, limit: 10 });
        expect(first.map((d) => [d.id, d.seq, d.operation, d.payload])).toEqual([
          [a1, 1, 'create', { n: 1 }],
          [b1, 1, 'create', { n: 3 }],
        ]);
        expect(first[0]!.incident).toMatchObject({ id: 'a', correlationId: 'ka' });
        expect(first[0]).toMatchObject({ claimedBy: 'r1', claimedUntil: T0 + 10_001, attempts: 0 });
        expect(await store.claimDeliveries({ owner: 'r2', now: T0 + 2, leaseMs: 10_000, limit: 10 })).toEqual([]);
        expect(await store.completeDelivery(a1, 'r1')).toBe(true);
        const next = await store.claimDeliveries({ owner: 'r2', now: T0 + 2, leaseMs: 10_000, limit: 10 });
        expect(next.map((d) => [d.id, d.seq])).toEqual([[a2, 2]]);
        expect(await store.outboxDepth()).toBe(2);
      });

      it('lets another owner take an entry once its lease has expired, and refuses the old owner afterwards', async () => {
        const id = await store.enqueueDelivery({ incidentId: 'a', operation: 'create', payload: {}, at: T0 });
        await store.claimDeliveries({ owner: 'dead', now: T0, leaseMs: 1_000, limit: 10 });
        expect(await store.claimDeliveries({ owner: 'r2', now: T0 + 999, leaseMs: 1_000, limit: 10 })).toEqual([]);
        expect((await store.claimDeliveries({ owner: 'r2', now: T0 + 1_000, leaseMs: 1_000, limit: 10 })).map((d) => d.id)).toEqual([id]);
        expect(await store.completeDelivery(id, 'dead')).toBe(false);
        expect(await store.retryDelivery(id, 'dead', { nextAttemptAt: T0, error: 'x', inDoubt: true })).toBe(false);
        expect(await store.completeDelivery(id, 'r2')).toBe(true);
        expect(await store.completeDelivery(id, 'r2')).toBe(false);
      });

      it('gives disjoint entries to owners claiming at the same time', async () => {
        for (let i = 0; i < 6; i += 1) {
          await store.insertIncident(incidentRow({ id: `m${i}`, correlationId: `km${i}` }));
          await store.enqueueDelivery({ incidentId: `m${i}`, operation: 'create', payload: {}, at: T0 });
        }
        const [x, y] = await Promise.all([
          store.claimDeliveries({ owner: 'x', now: T0, leaseMs: 1_000, limit: 4 }),
          store.claimDeliveries({ owner: 'y', now: T0, leaseMs: 1_000, limit: 4 }),
        ]);
        // Which owner comes first is up to the store (PostgreSQL runs both claims at once); what
        // holds everywhere: nobody gets more than asked, nothing twice, nothing due left behind.
        const ids = [...x, ...y].map((d) => d.id);
        expect(ids).toHaveLength(6);
        expect(new Set(ids).size).toBe(6);
        expect(Math.max(x.length, y.length)).toBeLessThanOrEqual(4);
        expect(x.every((d) => d.claimedBy === 'x') && y.every((d) => d.claimedBy === 'y')).toBe(true);
      });

      it('releases a failed entry with its attempt counted, the error kept and a later due time', async () => {
        const id = await store.enqueueDelivery({ incidentId: 'a', operation: 'create', payload: {}, at: T0 });
        await store.enqueueDelivery({ incidentId: 'a', operation: 'note', payload: {}, at: T0 });
        await store.claimDeliveries({ owner: 'r', now: T0, leaseMs: 1_000, limit: 10 });
        expect(await store.retryDelivery(id, 'r', { nextAttemptAt: T0 + 5_000, error: 'servicenow is unavailable', inDoubt: false })).toBe(
          true,
        );
        expect(await store.claimDeliveries({ owner: 'r', now: T0 + 4_999, leaseMs: 1_000, limit: 10 })).toEqual([]);
        expect(await store.nextDeliveryDueAt()).toBe(T0 + 5_000);
        const [again] = await store.claimDeliveries({ owner: 'r', now: T0 + 5_000, leaseMs: 1_000, limit: 10 });
        expect(again).toMatchObject({ id, attempts: 1, lastError: 'servicenow is unavailable', nextAttemptAt: T0 + 5_000 });
        expect(await store.nextDeliveryDueAt()).toBe(T0 + 6_000);
      });

      it('marks an entry in doubt from its first claim until a failure known not to have reached ServiceNow', async () => {
        const id = await store.enqueueDelivery({ incidentId: 'a', operation: 'note', payload: {}, at: T0 });
        const claim = async (now: number) => (await store.claimDeliveries({ owner: 'r', now, leaseMs: 1_000, limit: 1 }))[0]!;
        expect((await claim(T0)).inDoubt).toBe(false);
        // The claim ran out without a record (the process died): the next claim is in doubt.
        expect((await claim(T0 + 1_000)).inDoubt).toBe(true);
        await store.retryDelivery(id, 'r', { nextAttemptAt: T0 + 1_000, error: 'refused', inDoubt: false });
        expect((await claim(T0 + 1_000)).inDoubt).toBe(false);
        await store.retryDelivery(id, 'r', { nextAttemptAt: T0 + 1_000, error: 'no answer in time', inDoubt: true });
        expect((await claim(T0 + 1_000)).inDoubt).toBe(true);
      });

      it('reports no due time and zero depth when empty', async () => {
        expect(await store.nextDeliveryDueAt()).toBeNull();
        expect(await store.outboxDepth()).toBe(0);
      });

      it("lists each incident's first undelivered entry that has waited since the cutoff, attempted or not", async () => {
        const a1 = await store.enqueueDelivery({ incidentId: 'a', operation: 'create', payload: {}, at: T0 });
        await store.enqueueDelivery({ incidentId: 'a', operation: 'note', payload: {}, at: T0 + 10 });
        await store.enqueueDelivery({ incidentId: 'b', operation: 'create', payload: {}, at: T0 + 20 });
        expect(await store.listStuckDeliveries(T0 - 1)).toEqual([]);
        await store.claimDeliveries({ owner: 'r', now: T0 + 50, leaseMs: 1_000, limit: 1 });
        await store.retryDelivery(a1, 'r', { nextAttemptAt: T0 + 60, error: 'refused', inDoubt: false });
        expect(await store.listStuckDeliveries(T0 + 10)).toEqual([
          {
            incidentId: 'a',
            correlationId: 'ka',
            trunkId: 't1',
            kind: 'registration_rejected',
            operation: 'create',
            waitingSince: T0,
            attempts: 1,
            lastError: 'refused',
          },
        ]);
        // b's create was never tried (a relay paused by ServiceNow's Retry-After): still stuck.
        expect((await store.listStuckDeliveries(T0 + 100)).map((d) => [d.incidentId, d.operation, d.attempts])).toEqual([
          ['a', 'create', 1],
          ['b', 'create', 0],
        ]);
      });
    });

    it('keeps an audit trail, newest first, by subject or incident', async () => {
      await store.addAudit({
        at: T0,
        subject: 't1',
        incidentId: null,
        kind: 'trunk_state_changed',
        org: 'emea',
        message: 'registered → rejected',
        data: { sipCode: 403 },
      });
      await store.addAudit({ at: T0 + 1, subject: 't1', incidentId: 'i1', kind: 'incident_opened', message: 'open', data: null });
      await store.addAudit({ at: T0 + 2, subject: 't2', incidentId: 'i2', kind: 'delivery_attempt', message: 'POST', data: null });
      const t1 = await store.listAudit({ subject: 't1', limit: 10 });
      expect(t1.map((a) => [a.kind, a.org, a.message, a.data])).toEqual([
        ['incident_opened', null, 'open', null],
        ['trunk_state_changed', 'emea', 'registered → rejected', { sipCode: 403 }],
      ]);
      expect((await store.listAudit({ incidentId: 'i2', limit: 10 })).map((a) => a.kind)).toEqual(['delivery_attempt']);
      expect((await store.listAudit({ limit: 2 })).map((a) => a.at)).toEqual([T0 + 2, T0 + 1]);
    });

    it('lists the audit trail by any of its filters, and pages it by id without gaps or duplicates', async () => {
      const kinds = ['trunk_state_changed', 'incident_opened', 'delivery_attempt', 'token_rotated'] as const;
      for (let n = 0; n < 23; n += 1) {
        await store.addAudit({
          at: T0 + n * 1000,
          subject: n % 2 === 0 ? 'trunkgate:trunk:t1' : 'trunkgate:emea:trunk:t1',
          incidentId: n % 3 === 0 ? 'i1' : null,
          kind: kinds[n % 4]!,
          org: n % 2 === 0 ? 'default' : 'emea',
          message: `entry ${n}`,
          data: { n },
        });
      }
      const ns = (rows: Array<{ data: Record<string, unknown> | null }>) => rows.map((r) => r.data!.n);
      const seen: unknown[] = [];
      let beforeId: number | undefined;
      for (let page = 0; page < 10; page += 1) {
        const rows = await store.listAudit({ limit: 5, beforeId });
        if (rows.length === 0) break;
        seen.push(...ns(rows));
        beforeId = rows.at(-1)!.id;
      }
      expect(seen).toEqual(Array.from({ length: 23 }, (_, i) => 22 - i));
      expect(ns(await store.listAudit({ org: 'emea', limit: 3 }))).toEqual([21, 19, 17]);
      expect(ns(await store.listAudit({ kind: 'token_rotated', limit: 10 }))).toEqual([19, 15, 11, 7, 3]);
      expect(ns(await store.listAudit({ incidentId: 'i1', kind: 'trunk_state_changed', limit: 10 }))).toEqual([12, 0]);
      expect(ns(await store.listAudit({ since: T0 + 5_000, until: T0 + 8_000, limit: 10 }))).toEqual([8, 7, 6, 5]);
      expect(ns(await store.listAudit({ subjects: ['trunkgate:emea:trunk:t1', 'other'], until: T0 + 4_000, limit: 10 }))).toEqual([3, 1]);
      expect(await store.listAudit({ subjects: [], limit: 10 })).toEqual([]);
      const [newest] = await store.listAudit({ limit: 1 });
      expect(ns(await store.listAudit({ subject: 'trunkgate:trunk:t1', beforeId: newest!.id, limit: 2 }))).toEqual([20, 18]);
    });

    it('finds incidents by id in one call', async () => {
      await store.insertIncident(incidentRow({ id: 'a', correlationId: 'k:a' }));
      await store.insertIncident(incidentRow({ id: 'b', correlationId: 'k:b', sysId: 'sys-b', number: 'INC0010002' }));
      const found = await store.getIncidentsByIds(['b', 'missing', 'a']);
      expect(found.map((i) => [i.id, i.correlationId, i.number, i.sysId]).sort()).toEqual([
        ['a', 'k:a', null, null],
        ['b', 'k:b', 'INC0010002', 'sys-b'],
      ]);
      expect(await store.getIncidentsByIds([])).toEqual([]);
      await store.insertIncident(incidentRow({ id: 'c', correlationId: 'k:c', number: 'INC0010002', servicenowInstance: 'emea' }));
      expect(await store.findIncidentIds('INC0010002')).toEqual(['b', 'c']);
      expect(await store.findIncidentIds('sys-b')).toEqual(['b']);
      expect(await store.findIncidentIds('a')).toEqual(['a']);
      expect(await store.findIncidentIds('INC0099999')).toEqual([]);
      await store.addAudit({ at: T0, subject: 'k:a', incidentId: 'a', kind: 'incident_opened', message: 'a', data: null });
      await store.addAudit({ at: T0, subject: 'k:c', incidentId: 'c', kind: 'incident_opened', message: 'c', data: null });
      await store.addAudit({ at: T0, subject: 'k:b', incidentId: 'b', kind: 'incident_opened', message: 'b', data: null });
      expect((await store.listAudit({ incidentIds: ['b', 'c'], limit: 10 })).map((r) => r.message)).toEqual(['b', 'c']);
      expect(await store.listAudit({ incidentIds: [], limit: 10 })).toEqual([]);
    });

    it('raises a helpdesk alert once per key, updates and deletes it', async () => {
      expect(await store.raiseAlert({ key: 'k', summary: 's', raisedAt: T0, raiseSentAt: null, clearedAt: null })).toBe(true);
      expect(await store.raiseAlert({ key: 'k', summary: 'again', raisedAt: T0 + 1, raiseSentAt: null, clearedAt: null })).toBe(false);
      await store.updateAlert('k', { raiseSentAt: T0 + 2 });
      expect(await store.listAlerts()).toEqual([{ key: 'k', summary: 's', raisedAt: T0, raiseSentAt: T0 + 2, clearedAt: null }]);
      await store.deleteAlert('k');
      expect(await store.listAlerts()).toEqual([]);
    });

    it('lets one owner at a time act on an alert, for what it still needs, until its claim expires or is given back', async () => {
      const alert = (key: string, extra: Partial<Parameters<Store['raiseAlert']>[0]> = {}) =>
        store.raiseAlert({ key, summary: key, raisedAt: T0, raiseSentAt: null, clearedAt: null, ...extra });
      await alert('fresh');
      await alert('sent', { raiseSentAt: T0 });
      await alert('over', { raiseSentAt: T0, clearedAt: T0 + 1 });
      await alert('untold', { clearedAt: T0 + 1 });
      const claim = (
        owner: string,
        purpose: 'raise' | 'recover' | 'forget',
        now = T0 + 10,
        keys = ['fresh', 'sent', 'over', 'untold', 'missing'],
      ) => store.claimAlerts({ keys, purpose, owner, now, leaseMs: 1_000 });
      expect(await claim('a', 'raise')).toEqual(['fresh']);
      expect(await claim('b', 'raise')).toEqual([]);
      expect(await claim('a', 'raise')).toEqual(['fresh']);
      expect(await claim('b', 'raise', T0 + 1_010)).toEqual(['fresh']);
      await store.releaseAlerts(['fresh'], 'a');
      expect(await claim('a', 'raise', T0 + 1_011)).toEqual([]);
      await store.releaseAlerts(['fresh'], 'b');
      expect(await claim('a', 'raise', T0 + 1_012)).toEqual(['fresh']);
      expect(await claim('a', 'recover')).toEqual(['over']);
      expect(await claim('b', 'forget')).toEqual(['untold']);
      expect(await store.claimAlerts({ keys: [], purpose: 'raise', owner: 'a', now: T0, leaseMs: 1 })).toEqual([]);
      await store.updateAlert('fresh', { raiseSentAt: T0 + 2_000 });
      await store.releaseAlerts(['fresh'], 'a');
      expect(await claim('b', 'raise', T0 + 2_001)).toEqual([]);
      await store.deleteAlert('over');
      await alert('over', { raiseSentAt: T0, clearedAt: T0 + 1 });
      expect(await claim('b', 'recover')).toEqual(['over']);
      expect((await store.listAlerts()).map((a) => Object.keys(a).sort())).toContainEqual([
        'clearedAt',
        'key',
        'raiseSentAt',
        'raisedAt',
        'summary',
      ]);
    });

    it('prunes old trunk events, audit lines and processed event ids', async () => {
      await store.addTrunkEvent({
        trunkId: 't1',
        at: T0,
        state: 'rejected',
        previousState: null,
        signal: 'registration',
        sipCode: 403,
        errorText: null,
        proxyAddress: null,
        source: 'event',
        eventId: null,
      });
      await store.addTrunkEvent({
        trunkId: 't1',
        at: T0 + 100,
        state: 'registered',
        previousState: 'rejected',
        signal: 'registration',
        sipCode: null,
        errorText: null,
        proxyAddress: null,
        source: 'event',
        eventId: null,
      });
      await store.addAudit({ at: T0, subject: 't1', incidentId: null, kind: 'trunk_state_changed', message: 'old', data: null });
      await store.markEventProcessed('old-event', T0);
      await store.pruneTrunkHistory(T0 + 50);
      await store.pruneAudit(T0 + 50);
      expect((await store.listTrunkEvents('t1', { limit: 10 })).map((e) => e.at)).toEqual([T0 + 100]);
      expect(await store.listAudit({ limit: 10 })).toEqual([]);
      expect(await store.markEventProcessed('old-event', T0 + 60)).toBe(true);
    });

    it('answers ping', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });

    describe('maintenance windows', () => maintenanceContract(() => store));
  });
}
