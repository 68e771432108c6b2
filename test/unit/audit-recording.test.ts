import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { AuditRecorder, credentialsSubject, credentialsTrail, recordLeadership } from '../../src/app/audit-trail.js';
import { createRetention } from '../../src/app/retention.js';
import { createFakeStores } from '../../src/app/stores.js';
import { SoloLeaderLease } from '../../src/cluster/leader-lease.js';
import { CredentialsMetrics } from '../../src/credentials/credentials-metrics.js';
import { TokenBroker } from '../../src/credentials/token-broker.js';
import { InProcessTokenStore } from '../../src/credentials/token-store.js';
import { loadConfig } from '../../src/config/config.js';
import { ManualClock } from '../../src/time/manual-clock.js';
import { FakeTokenEndpoint } from '../support/fake-token-endpoint.js';
import { memoryLogger, testEnv } from '../support/test-config.js';

const DAY = 86_400_000;

function brokerWithTrail(o: { connection?: string; perOrg: boolean; store?: InProcessTokenStore; clock?: ManualClock }) {
  const clock = o.clock ?? new ManualClock();
  const stores = createFakeStores();
  const recorder = new AuditRecorder(stores, memoryLogger().logger);
  const endpoint = new FakeTokenEndpoint(clock);
  const broker = new TokenBroker({
    upstream: 'genesys',
    connection: o.connection,
    issuer: endpoint,
    verifier: endpoint,
    store: o.store ?? new InProcessTokenStore(),
    clock,
    logger: memoryLogger().logger,
    metrics: new CredentialsMetrics(new Registry()),
    bufferMs: 15_000,
    random: () => 0.5,
    trail: credentialsTrail(recorder, { upstream: 'genesys', connection: o.connection ?? 'default', perOrg: o.perOrg }),
  });
  const trail = async () => {
    await recorder.flush();
    return (await stores.listAudit({ limit: 100 })).reverse();
  };
  return { clock, stores, recorder, endpoint, broker, trail };
}

describe('the audit trail of credentials', () => {
  it('records each token this replica obtains (first, then rotations) under the credentials subject, with the org', async () => {
    const t = brokerWithTrail({ connection: 'emea', perOrg: true });
    t.endpoint.lagMs = 300;
    t.broker.start();
    await t.clock.advance(1_000);
    await t.clock.advance(60_000);
    t.broker.stop();
    const entries = await t.trail();
    expect(entries.map((e) => [e.kind, e.subject, e.org])).toEqual([
      ['token_rotated', 'trunkgate:emea:credentials', 'emea'],
      ['token_rotated', 'trunkgate:emea:credentials', 'emea'],
    ]);
    expect(entries[0]!.message).toMatch(/^genesys token \(emea\) obtained \(verified after \d+ ms\); expires 2026-01-01T00:01:/);
    expect(entries[1]!.message).toMatch(/^genesys token \(emea\) rotated \(verified/);
    expect(entries[1]!.data).toMatchObject({
      upstream: 'genesys',
      connection: 'emea',
      verified: true,
      expiresAt: expect.stringMatching(/^2026-01-01T00:0\d:\d\d\.\d{3}Z$/),
      previousExpiresAt: entries[0]!.data!.expiresAt,
    });
    expect(JSON.stringify(entries)).not.toMatch(/token-\d/);
  });

  it('records every failed refresh, transient or refused, and says whether the old token is still served', async () => {
    const t = brokerWithTrail({ perOrg: false });
    t.broker.start();
    await t.clock.advance(1);
    t.endpoint.failWith = 'transient';
    await t.clock.advance(52_000);
    t.endpoint.failWith = 'permanent';
    await t.clock.advance(60_000);
    t.broker.stop();
    const failures = (await t.trail()).filter((e) => e.kind === 'token_refresh_failed');
    expect(failures.length).toBeGreaterThanOrEqual(2);
    expect(failures.every((e) => e.subject === 'trunkgate:credentials:genesys' && e.org === 'default')).toBe(true);
    expect(failures[0]!.data).toMatchObject({ upstream: 'genesys', permanent: false, attempt: 1, stillServing: true });
    expect(failures[0]!.message).toMatch(
      /^genesys token: refresh failed \(attempt 1\): token endpoint answered 503; next attempt in \d+ s, the previous token is still served$/,
    );
    expect(failures.at(-1)!.data).toMatchObject({ permanent: true, stillServing: false });
    expect(failures.at(-1)!.message).toMatch(/^genesys token: credentials refused \(attempt \d+\)/);
  });

  it('leaves a token adopted from another replica to the replica that obtained it', async () => {
    const clock = new ManualClock();
    const shared = new InProcessTokenStore();
    const a = brokerWithTrail({ perOrg: false, store: shared, clock });
    const b = brokerWithTrail({ perOrg: false, store: shared, clock });
    a.broker.start();
    await clock.advance(1_000);
    b.broker.start();
    await clock.advance(1_000);
    expect(b.endpoint.requests).toBe(0);
    a.broker.stop();
    b.broker.stop();
    expect((await a.trail()).map((e) => e.kind)).toEqual(['token_rotated']);
    expect(await b.trail()).toEqual([]);
  });

  it('names ServiceNow instances apart from Genesys orgs', () => {
    expect(credentialsSubject('servicenow', 'default', false)).toBe('trunkgate:credentials:servicenow');
    expect(credentialsSubject('servicenow', 'emea-sn', true)).toBe('trunkgate:credentials:servicenow:emea-sn');
    expect(credentialsSubject('genesys', 'default', false)).toBe('trunkgate:credentials:genesys');
  });
});

describe('the audit trail of leadership', () => {
  it('records becoming and ceasing to be the leader', async () => {
    const stores = createFakeStores();
    const recorder = new AuditRecorder(stores, memoryLogger().logger);
    let now = Date.UTC(2026, 0, 1);
    const lease = new SoloLeaderLease('trunk-monitor', () => now);
    recordLeadership(lease, recorder);
    lease.start();
    now += 60_000;
    await lease.stop();
    await recorder.flush();
    const entries = (await stores.listAudit({ kind: 'leadership_changed', limit: 10 })).reverse();
    expect(entries.map((e) => [e.subject, e.at, e.data])).toEqual([
      [
        'trunkgate:leader:trunk-monitor',
        Date.UTC(2026, 0, 1),
        { lease: 'trunk-monitor', owner: 'solo', leader: true, reason: 'single replica (no REDIS_URL)' },
      ],
      [
        'trunkgate:leader:trunk-monitor',
        Date.UTC(2026, 0, 1) + 60_000,
        { lease: 'trunk-monitor', owner: 'solo', leader: false, reason: 'stopped' },
      ],
    ]);
    expect(entries[0]!.message).toBe('replica solo became the leader of trunk-monitor: single replica (no REDIS_URL)');
  });

  it('logs a write that fails instead of throwing it', async () => {
    const log = memoryLogger();
    const recorder = new AuditRecorder({ addAudit: () => Promise.reject(new Error('store down')) }, log.logger);
    recorder.record({ at: 0, subject: 's', incidentId: null, kind: 'leadership_changed', message: 'm', data: null });
    await recorder.flush();
    expect(log.lines().map((l) => [l.level, l.message])).toContainEqual(['warn', 'could not record an audit entry']);
  });
});

describe('AUDIT_RETENTION_DAYS', () => {
  it('defaults to 90, takes a positive whole number of days, and refuses anything else', () => {
    expect(loadConfig(testEnv()).auditRetentionDays).toBe(90);
    expect(loadConfig(testEnv({ AUDIT_RETENTION_DAYS: '7' })).auditRetentionDays).toBe(7);
    expect(() => loadConfig(testEnv({ AUDIT_RETENTION_DAYS: '0' }))).toThrow(/AUDIT_RETENTION_DAYS must be at least 1 \(got 0\)/);
    expect(() => loadConfig(testEnv({ AUDIT_RETENTION_DAYS: '1.5' }))).toThrow(/AUDIT_RETENTION_DAYS must be a whole number/);
  });

  it('prunes audit entries after their own retention, trunk history after 30 days', async () => {
    const clock = new ManualClock(Date.UTC(2026, 6, 1));
    const stores = createFakeStores();
    const now = clock.now();
    for (const age of [100, 60, 20]) {
      await stores.addAudit({
        at: now - age * DAY,
        subject: 's',
        incidentId: null,
        kind: 'trunk_state_changed',
        message: `${age} days old`,
        data: null,
      });
      await stores.addTrunkEvent({
        trunkId: 't1',
        at: now - age * DAY,
        state: 'rejected',
        previousState: null,
        signal: 'registration',
        sipCode: 403,
        errorText: null,
        proxyAddress: null,
        source: 'event',
        eventId: null,
      });
    }
    const retention = createRetention({ stores, clock, logger: memoryLogger().logger, auditRetentionMs: 90 * DAY });
    await retention.run();
    expect((await stores.listAudit({ limit: 10 })).map((a) => a.message)).toEqual(['20 days old', '60 days old']);
    expect((await stores.listTrunkEvents('t1', { limit: 10 })).map((e) => (now - e.at) / DAY)).toEqual([20]);
    await createRetention({ stores, clock, logger: memoryLogger().logger, auditRetentionMs: 7 * DAY }).run();
    expect(await stores.listAudit({ limit: 10 })).toEqual([]);
  });
});
