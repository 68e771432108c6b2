import type { IncomingHttpHeaders, Server } from 'node:http';
import type { Clock } from '../clock.js';
import { TimedFault, type ApiFault, type TokenEndpointFault } from './faults.js';
import type { ResolvedOrgSeed } from './genesys-sim-options.js';
import { createOrgState, type GenesysSimState } from './genesys-sim-state.js';
import { SimControlError } from './sim-control-error.js';
import { countInto, emptyStats } from './sim-stats.js';
import type { TokenCheck } from './token-store.js';

/** A request as it reached the simulator: method, path, raw query string (without `?`) and headers. */
export interface SimHttpRequest {
  method: string;
  path: string;
  query: string;
  headers: IncomingHttpHeaders;
  at: number;
}

/** A listener of `onRequest`: every request, or only those made with one org's credentials. */
export interface RequestWatcher {
  listener: (request: SimHttpRequest) => void;
  org?: GenesysSimState;
}

/**
 * The simulator as a Genesys Cloud region: one login service and one API shared by its orgs, as real
 * orgs share `login.<region>` and `api.<region>`. It holds what is region-wide (its faults, the counters
 * of everything, request listeners, the websocket endpoint) and finds the org a credential belongs to.
 */
export class SimRegion {
  /** Region-wide faults: the login service or the API failing for every org (applied before an org's own). */
  readonly tokenFault = new TimedFault<TokenEndpointFault>();
  readonly apiFault = new TimedFault<ApiFault>();
  /** Counters of everything, including requests that belong to no org (no token, unknown token or client). */
  readonly stats = emptyStats();
  readonly requestWatchers = new Set<RequestWatcher>();
  /** The orgs, in the order given; the first is the default one. */
  readonly orgs: readonly GenesysSimState[];

  constructor(
    readonly clock: Clock,
    seeds: ResolvedOrgSeed[],
  ) {
    this.orgs = seeds.map((seed) => createOrgState(seed, this));
  }

  get firstOrg(): GenesysSimState {
    return this.orgs[0]!;
  }

  /** The org with this name; a SimControlError `not_found` when there is none. */
  org(name: string): GenesysSimState {
    const org = this.orgs.find((o) => o.name === name);
    if (!org) throw new SimControlError('not_found', `no org ${name}`);
    return org;
  }

  orgOfClient(clientId: string): GenesysSimState | undefined {
    return this.orgs.find((o) => o.clients.has(clientId));
  }

  /** The org whose login service issued this token (tokens are opaque: any org may hold it), and its state. */
  findToken(token: string | undefined): { org?: GenesysSimState; check: TokenCheck } {
    if (!token) return { check: { outcome: 'missing' } };
    for (const org of this.orgs) {
      const check = org.tokens.check(token);
      if (check.outcome !== 'unknown') return { org, check };
    }
    return { check: { outcome: 'unknown' } };
  }

  /** Counts the answer to an `/api/v2` call in the region's counters and, when its token is known, its org's. */
  recordAnswer(org: GenesysSimState | undefined, routeKey: string, status: number): void {
    for (const stats of org ? [this.stats, org.stats] : [this.stats]) {
      countInto(stats.byRoute, routeKey);
      countInto(stats.byStatus, String(status));
      if (status < 300) stats.apiSuccesses++;
      if (status >= 500) stats.apiFaults++;
      if (status === 429) stats.rateLimited++;
    }
  }

  /** Tells the request listeners; those watching one org hear only requests made with its token or client id. */
  reportRequest(request: SimHttpRequest): void {
    let org: GenesysSimState | undefined | null = null;
    for (const watcher of this.requestWatchers) {
      if (watcher.org) {
        org ??= this.orgOfCredentials(request.headers.authorization);
        if (org !== watcher.org) continue;
      }
      watcher.listener(request);
    }
  }

  /** Serves the notification websockets (`/channels/{id}`) of every org on the HTTP server and starts their timers. */
  attach(server: Server): void {
    server.on('upgrade', (req, socket, head) => {
      const id = channelIdOf(req.url);
      for (const org of this.orgs) {
        const channel = id === undefined ? undefined : org.notifications.claim(id);
        if (channel) return org.notifications.accept(req, socket, head, channel);
      }
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    });
    for (const org of this.orgs) org.notifications.start();
  }

  close(): void {
    for (const org of this.orgs) org.notifications.close();
  }

  private orgOfCredentials(authorization: string | undefined): GenesysSimState | undefined {
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
    if (bearer) return this.findToken(bearer).org;
    const clientId = basicCredentials(authorization)?.clientId;
    return clientId === undefined ? undefined : this.orgOfClient(clientId);
  }
}

/** `Authorization: Basic base64(id:secret)` → the pair, or undefined when the header is not that. */
export function basicCredentials(authorization: string | undefined): { clientId: string; secret: string } | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(authorization ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  return { clientId: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
}

function channelIdOf(url: string | undefined): string | undefined {
  const match = /^\/channels\/([^/?#]+)$/.exec(new URL(url ?? '/', 'http://sim').pathname);
  if (!match) return undefined;
  try {
    return decodeURIComponent(match[1]!);
  } catch {
    return undefined;
  }
}
