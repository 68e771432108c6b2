import type { Clock } from '../clock.js';
import { DEFAULT_CHANNEL_LIMITS, type ChannelLimits } from './channel-registry.js';
import { defaultClients, defaultOrganization, defaultTrunks, generatedTrunks, type SimClientSeed } from './default-seed.js';
import { orgClient, orgOrganization, orgTrunks } from './org-seed.js';
import type { SeedTrunk } from './trunk-store.js';
import type { GenesysNamedEntity } from './wire-types.js';

/**
 * One Genesys Cloud org hosted by the simulator. Orgs share the simulator's port as orgs share a
 * region's login service and API; each has its own OAuth clients, tokens, rate windows, trunks and
 * channels, and a token sees only its own org.
 */
export interface SimOrgSeed {
  /** How control calls address the org (`control.org(name)`, `?org=name`); ids are derived from it. */
  name: string;
  /** Default `{id: <derived from name>, name}` (`orgOrganization(name)`). */
  organization?: GenesysNamedEntity;
  /** Default one client, `<name>-client` / `<name>-secret` (`orgClient(name)`). Client ids must be unique across orgs. */
  clients?: SimClientSeed[];
  /** Default the seven default trunks with ids derived from the name (`orgTrunks(name)`, `orgTrunkIds(name)`); `[]` for none. */
  trunks?: SeedTrunk[];
  /** Adds this many generated, registered EXTERNAL trunks of this org (`generatedTrunks(n, name)`) after `trunks`. */
  generatedTrunks?: number;
  /** Default: the simulator-wide option. */
  tokenLifetimeSec?: number;
  rateLimitPerMinute?: number;
  propagationLagMs?: number;
}

/** How the simulator starts (every field optional). */
export interface GenesysSimOptions {
  /** Default 0 (any free port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Drives token expiry, propagation lag, rate windows, fault durations and trunk timestamps. */
  clock?: Clock;
  /**
   * Several orgs in one simulator; the first is the one `sim.state` and the root control's trunk
   * additions use. Without it the simulator hosts one org made of the options below (`clients`,
   * `trunks`, `generatedTrunks`, `organization`), which then must not be given.
   */
  orgs?: SimOrgSeed[];
  /** Default: one demo client, `sandbox-genesys-client` / `sandbox-genesys-secret`. */
  clients?: SimClientSeed[];
  /** Default 86400 (the Genesys default for a new OAuth client); with `orgs`, each org's default. */
  tokenLifetimeSec?: number;
  /** Per access token per minute; default 300 (`token.rate.per.minute`); with `orgs`, each org's default. */
  rateLimitPerMinute?: number;
  /** Default: four registered EXTERNAL trunks on two Edges, two BYOC Cloud trunks and one PHONE trunk. */
  trunks?: SeedTrunk[];
  /** Adds this many generated, registered EXTERNAL trunks (see `generatedTrunks`) after `trunks`. */
  generatedTrunks?: number;
  /** Notifications API: heartbeat period (default 30000) and limits (24 h, 20 channels per client, 1000 topics per channel). */
  notifications?: { heartbeatIntervalMs?: number; channelLifetimeMs?: number; maxChannelsPerClient?: number; maxTopicsPerChannel?: number };
  /** Default 0: tokens work as soon as they are issued; with `orgs`, each org's default. */
  propagationLagMs?: number;
  organization?: GenesysNamedEntity;
}

/** An org as the simulator starts it (and as `reset()` restores it): every field settled. */
export interface ResolvedOrgSeed {
  name: string;
  organization: GenesysNamedEntity;
  clients: SimClientSeed[];
  trunks: SeedTrunk[];
  tokenLifetimeSec: number;
  rateLimitPerMinute: number;
  propagationLagMs: number;
  heartbeats: { enabled: boolean; intervalMs: number };
  channelLimits: ChannelLimits;
}

const singleOrgOnly = ['clients', 'trunks', 'generatedTrunks', 'organization'] as const;

/** The orgs the options describe, checked: names, client ids and trunk ids unique across the simulator. */
export function resolveOrgSeeds(options: GenesysSimOptions): ResolvedOrgSeed[] {
  const n = options.notifications ?? {};
  const common = {
    tokenLifetimeSec: options.tokenLifetimeSec ?? 86_400,
    rateLimitPerMinute: options.rateLimitPerMinute ?? 300,
    propagationLagMs: options.propagationLagMs ?? 0,
    heartbeats: { enabled: true, intervalMs: n.heartbeatIntervalMs ?? 30_000 },
    channelLimits: {
      lifetimeMs: n.channelLifetimeMs ?? DEFAULT_CHANNEL_LIMITS.lifetimeMs,
      maxChannelsPerClient: n.maxChannelsPerClient ?? DEFAULT_CHANNEL_LIMITS.maxChannelsPerClient,
      maxTopicsPerChannel: n.maxTopicsPerChannel ?? DEFAULT_CHANNEL_LIMITS.maxTopicsPerChannel,
    },
  };
  if (options.orgs === undefined) {
    const organization = options.organization ?? defaultOrganization;
    return check([
      {
        ...common,
        name: organization.name,
        organization,
        clients: structuredClone(options.clients ?? [...defaultClients]),
        trunks: structuredClone([...(options.trunks ?? defaultTrunks()), ...generatedTrunks(options.generatedTrunks ?? 0)]),
      },
    ]);
  }
  const stray = singleOrgOnly.filter((key) => options[key] !== undefined);
  if (stray.length > 0) throw new Error(`Genesys simulator: with orgs, give ${stray.join(', ')} per org`);
  if (options.orgs.length === 0) throw new Error('Genesys simulator: orgs must list at least one org');
  return check(
    options.orgs.map((seed) => ({
      ...common,
      name: seed.name,
      organization: seed.organization ?? orgOrganization(seed.name),
      clients: structuredClone(seed.clients ?? [orgClient(seed.name)]),
      trunks: structuredClone([...(seed.trunks ?? orgTrunks(seed.name)), ...generatedTrunks(seed.generatedTrunks ?? 0, seed.name)]),
      tokenLifetimeSec: seed.tokenLifetimeSec ?? common.tokenLifetimeSec,
      rateLimitPerMinute: seed.rateLimitPerMinute ?? common.rateLimitPerMinute,
      propagationLagMs: seed.propagationLagMs ?? common.propagationLagMs,
    })),
  );
}

// A client id names its org at the login service, and real trunk ids are UUIDs: neither may repeat.
function check(orgs: ResolvedOrgSeed[]): ResolvedOrgSeed[] {
  const seen = { org: new Set<string>(), client: new Set<string>(), trunk: new Set<string>() };
  const once = (kind: keyof typeof seen, value: string) => {
    if (typeof value !== 'string' || value.trim() === '') throw new Error(`Genesys simulator: every ${kind} needs a non-empty id or name`);
    if (seen[kind].has(value)) throw new Error(`Genesys simulator: ${kind} "${value}" appears twice`);
    seen[kind].add(value);
  };
  for (const org of orgs) {
    once('org', org.name);
    for (const c of org.clients) once('client', c.clientId);
    for (const t of org.trunks) once('trunk', t.id);
  }
  return orgs;
}
