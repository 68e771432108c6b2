import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { Redis } from 'ioredis';

/**
 * TEST_REDIS_URL, or undefined when running locally without Redis (the suite is then skipped).
 * In CI a missing URL fails the file: Redis-backed behaviour must never silently go untested.
 */
export function testRedisUrl(): string | undefined {
  const url = process.env.TEST_REDIS_URL;
  if (!url && process.env.CI) throw new Error('TEST_REDIS_URL must be set in CI: the Redis tests cannot run without it');
  return url || undefined;
}

/** A key prefix no other test (or helper sharing this Redis) uses. */
export function randomPrefix(): string {
  return `test:${randomBytes(6).toString('hex')}:`;
}

/** A plain client for inspecting and cleaning up; never FLUSHALL — other suites share the server. */
export function adminClient(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: 1, connectionName: 'trunkgate-test-admin' });
}

export async function deletePrefix(admin: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await admin.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) await admin.del(...keys);
  } while (cursor !== '0');
}

/** A port on 127.0.0.1 with nothing listening: connections are refused at once. */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * A TCP proxy in front of the shared Redis that a test can cut without stopping Redis for others.
 * `cut('refuse')` drops every connection and refuses new ones; `cut('blackhole')` keeps connections open
 * but silently drops what they carry, and accepts new ones that never answer (a dead peer, a partition);
 * `restore()` drops the silent connections and forwards again.
 */
export class CuttableProxy {
  private server?: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private readonly pairs = new Set<{ client: net.Socket; upstream: net.Socket }>();
  private mode: 'open' | 'refuse' | 'blackhole' = 'open';
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  static forUrl(url: string): CuttableProxy {
    const u = new URL(url);
    return new CuttableProxy({ host: u.hostname, port: Number(u.port || 6379) });
  }

  /** The target URL with the proxy's port in place of the real one. */
  url(original: string): string {
    const u = new URL(original);
    u.hostname = '127.0.0.1';
    u.port = String(this.port);
    return u.toString();
  }

  async start(): Promise<this> {
    this.server = net.createServer((client) => this.accept(client));
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
    return this;
  }

  async cut(mode: 'refuse' | 'blackhole' = 'refuse'): Promise<void> {
    this.mode = mode;
    if (mode === 'blackhole') {
      for (const { client, upstream } of this.pairs) {
        client.unpipe(upstream);
        upstream.unpipe(client);
        client.resume();
        upstream.resume();
      }
      return;
    }
    this.dropAll();
    await this.closeServer();
  }

  async restore(): Promise<void> {
    if (this.mode === 'blackhole') this.dropAll();
    this.mode = 'open';
    if (!this.server) await this.start();
  }

  async close(): Promise<void> {
    this.dropAll();
    await this.closeServer();
  }

  private dropAll(): void {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    this.pairs.clear();
  }

  private accept(client: net.Socket): void {
    this.sockets.add(client);
    client.on('close', () => this.sockets.delete(client));
    client.on('error', () => undefined);
    if (this.mode === 'blackhole') {
      client.resume();
      return;
    }
    const upstream = net.connect(this.target.port, this.target.host);
    this.sockets.add(upstream);
    const pair = { client, upstream };
    this.pairs.add(pair);
    client.on('close', () => this.pairs.delete(pair));
    upstream.on('close', () => {
      this.sockets.delete(upstream);
      client.destroy();
    });
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    client.pipe(upstream).pipe(client);
  }

  private async closeServer(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
