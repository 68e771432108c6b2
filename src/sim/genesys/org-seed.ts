import {
  defaultTrunks,
  generatedTrunks,
  orgTrunkSetIds,
  TRUNKGATE_ROLE,
  type DefaultEdgeKey,
  type DefaultTrunkBaseKey,
  type DefaultTrunkKey,
  type SimClientSeed,
} from './default-seed.js';
import { scopedId } from './scoped-id.js';
import type { SeedTrunk } from './trunk-store.js';
import type { GenesysNamedEntity } from './wire-types.js';

/** A named org's demo OAuth client: `<org>-client` / `<org>-secret`, with the role and scopes trunkgate needs. */
export function orgClient(org: string): SimClientSeed & { scopes: string[] } {
  return {
    clientId: `${org}-client`,
    clientSecret: `${org}-secret`,
    scopes: ['telephony:readonly', 'notifications'],
    roles: [TRUNKGATE_ROLE],
    name: `trunkgate ${org}`,
  };
}

/** A named org's `organization` (tokens/me, organizations/me): an id derived from its name, and the name. */
export function orgOrganization(org: string): GenesysNamedEntity {
  return { id: scopedId(org, 'organization'), name: org };
}

/** The ids of a named org's default trunks (the same keys as `defaultTrunkIds`). */
export function orgTrunkIds(org: string): Record<DefaultTrunkKey, string> {
  return orgTrunkSetIds(org).trunks;
}

/** The ids of a named org's default trunk bases (the keys of `defaultTrunkBaseIds`, plus `phone`). */
export function orgTrunkBaseIds(org: string): Record<DefaultTrunkBaseKey, string> {
  return orgTrunkSetIds(org).trunkBases;
}

/** The ids of a named org's default Edges (`nyc`, `chi`, `cloudA`, `cloudB`). */
export function orgEdgeIds(org: string): Record<DefaultEdgeKey, string> {
  return orgTrunkSetIds(org).edges;
}

/** A named org's default trunks: the default set (names, carriers, proxies) with the org's own ids. */
export function orgTrunks(org: string): SeedTrunk[] {
  return defaultTrunks(orgTrunkSetIds(org));
}

/** `count` generated EXTERNAL trunks of a named org (its own ids, Edges and trunk bases). */
export function orgGeneratedTrunks(org: string, count: number): SeedTrunk[] {
  return generatedTrunks(count, org);
}
