import fs from 'node:fs';
import path from 'node:path';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { CredentialsMetrics } from '../../src/credentials/credentials-metrics.js';
import { labelsOfTokenKey, TokenCacheMetrics } from '../../src/credentials/token-cache-metrics.js';
import { IncidentMetrics } from '../../src/incidents/incident-metrics.js';
import type { LimiterOptions } from '../../src/upstream/limiter-factory.js';
import { LimiterMetrics } from '../../src/upstream/limiter-metrics.js';
import { FakeLimiter } from '../support/fake-limiter.js';
import { tempDataDir } from '../support/test-config.js';
import { testUpstreams } from '../support/upstreams.js';

const CONNECTION_VARS = {
  GENESYS_LOGIN_URL: undefined,
  GENESYS_API_URL: undefined,
  GENESYS_CLIENT_ID: undefined,
  GENESYS_CLIENT_SECRET: undefined,
  SERVICENOW_INSTANCE_URL: undefined,
  SERVICENOW_USERNAME: undefined,
  SERVICENOW_PASSWORD: undefined,
};

function connectionsFile(): string {
  const file = path.join(tempDataDir(), 'connections.yaml');
  fs.writeFileSync(
    file,
    `
genesys:
  - { name: acme, loginUrl: http://127.0.0.1:9/login, apiUrl: http://127.0.0.1:9/api, clientId: a, clientSecret: a-secret, servicenow: sn-eu }
  - { name: globex, loginUrl: http://127.0.0.1:9/login, apiUrl: http://127.0.0.1:9/api, clientId: g, clientSecret: g-secret, servicenow: sn-us }
servicenow:
  - { name: sn-eu, instanceUrl: http://127.0.0.1:9, username: u, password: p, rateLimitPerHour: 5000 }
  - { name: sn-us, instanceUrl: http://127.0.0.1:9, username: u, password: p, rateLimitPerHour: 5000 }
`,
  );
  return file;
}

describe('the connection label (several orgs and instances)', () => {
  it('with a connections file, each pacer has a bucket and labels of its own', async () => {
    const made: FakeLimiter[] = [];
    const limiters = (options: LimiterOptions) => {
      const limiter = new FakeLimiter(options);
      made.push(limiter);
      return limiter;
    };
    const registry = new Registry();
    const upstreams = testUpstreams({ ...CONNECTION_VARS, CONNECTIONS_FILE: connectionsFile() }, { limiters, registry });
    // Replicas sharing buckets through Redis pace each org on its own budget, not one for all.
    expect(made.map((l) => [l.options.id, l.options.upstream, l.options.connection])).toEqual([
      ['genesys-api:acme', 'genesys', 'acme'],
      ['genesys-api:globex', 'genesys', 'globex'],
      [expect.stringMatching(/^servicenow-api:sn-eu:\d+$/), 'servicenow', 'sn-eu'],
      [expect.stringMatching(/^servicenow-api:sn-us:\d+$/), 'servicenow', 'sn-us'],
    ]);
    const text = await registry.metrics();
    expect(text).toContain('trunkgate_pacing_waiting_calls{upstream="genesys",connection="acme"} 0');
    expect(text).toContain('trunkgate_pacing_refused_total{upstream="servicenow",connection="sn-us"} 0');
    expect(text).toContain('trunkgate_token_refreshes_total{upstream="genesys",connection="globex",outcome="permanent_error"} 0');
    expect(text).not.toMatch(/trunkgate_pacing_waiting_calls\{upstream="genesys"\}/);
    await upstreams.close();
  });

  it('without one, no series carries a connection label (the single-org series are unchanged)', async () => {
    const made: FakeLimiter[] = [];
    const registry = new Registry();
    const upstreams = testUpstreams(
      { SERVICENOW_RATE_LIMIT_PER_HOUR: '5000' },
      {
        registry,
        limiters: (o) => {
          const l = new FakeLimiter(o);
          made.push(l);
          return l;
        },
      },
    );
    expect(made.map((l) => l.options.connection)).toEqual([undefined, undefined]);
    const text = await registry.metrics();
    expect(text).toContain('trunkgate_pacing_waiting_calls{upstream="genesys"} 0');
    expect(text).toContain('trunkgate_token_refreshes_total{upstream="genesys",outcome="success"} 0');
    expect(text).not.toContain('connection=');
    await upstreams.close();
  });

  it("each broker's token expiry is its own series (two orgs of one upstream do not overwrite each other)", async () => {
    const registry = new Registry();
    const metrics = new CredentialsMetrics(registry);
    metrics.trackExpiry({ upstream: 'genesys', connection: 'acme' }, () => 100);
    metrics.trackExpiry({ upstream: 'genesys', connection: 'globex' }, () => 200);
    const text = await registry.metrics();
    expect(text).toContain('trunkgate_token_expiry_seconds{upstream="genesys",connection="acme"} 100');
    expect(text).toContain('trunkgate_token_expiry_seconds{upstream="genesys",connection="globex"} 200');
  });

  it('the shared token cache labels a key by its upstream and connection', async () => {
    expect(labelsOfTokenKey('genesys')).toEqual({ upstream: 'genesys' });
    expect(labelsOfTokenKey('servicenow:sn-eu')).toEqual({ upstream: 'servicenow', connection: 'sn-eu' });
    const registry = new Registry();
    const metrics = new TokenCacheMetrics(registry);
    metrics.read('genesys:acme', 'hit');
    metrics.lock('genesys', 'acquired');
    const text = await registry.metrics();
    expect(text).toContain('trunkgate_token_cache_reads_total{upstream="genesys",connection="acme",outcome="hit"} 1');
    expect(text).toContain('trunkgate_token_refresh_lock_total{upstream="genesys",outcome="acquired"} 1');
  });

  it('limiters and incidents: the label only where the connections file names one', async () => {
    const registry = new Registry();
    const limiter = new LimiterMetrics(registry);
    limiter.shared({ upstream: 'genesys', connection: 'acme' }, true);
    limiter.shared({ upstream: 'genesys' }, false);
    const incidents = new IncidentMetrics(registry, async () => 0, { orgs: ['acme', 'globex'], instances: ['sn-eu'] });
    incidents.incident('opened', 'registration_rejected', 'globex');
    incidents.delivery('create', 'delivered', 10, 'sn-eu');
    const text = await registry.metrics();
    expect(text).toContain('trunkgate_limiter_shared{upstream="genesys",connection="acme"} 1');
    expect(text).toContain('trunkgate_limiter_shared{upstream="genesys"} 0');
    expect(text).toContain('trunkgate_incidents_opened_total{kind="registration_rejected",org="globex"} 1');
    expect(text).toContain('trunkgate_incidents_opened_total{kind="credentials_failed",org="acme"} 0');
    expect(text).toContain('trunkgate_servicenow_deliveries_total{operation="create",outcome="delivered",connection="sn-eu"} 1');
    expect(text).not.toMatch(/trunkgate_incidents_opened_total\{kind="[a-z_]+"\}/);
  });
});
