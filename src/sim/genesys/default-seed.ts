import { scopedId } from './scoped-id.js';
import type { SeedTrunk } from './trunk-store.js';
import type { GenesysNamedEntity } from './wire-types.js';

/** A role assigned to an OAuth client: a name and the permissions it grants (`domain:entity:action`, `*` for any part). */
export interface SimRoleSeed {
  name: string;
  permissions: string[];
}

/**
 * An OAuth client the simulated login service accepts. What the API lets its tokens do comes from
 * its roles' permissions, checked on every call (so a role changed at runtime applies at once);
 * `scopes` are only what `GET /api/v2/tokens/me` lists as `authorizedScope` and are not enforced.
 */
export interface SimClientSeed {
  clientId: string;
  clientSecret: string;
  /** OAuth scopes shown as `authorizedScope` (e.g. `telephony:readonly`); default [] (an empty list). */
  scopes?: string[];
  /** Default none: every call that needs a permission is refused with 403. */
  roles?: SimRoleSeed[];
  /** Shown as `OAuthClient.name` in `GET /api/v2/tokens/me`. */
  name?: string;
}

export const DEMO_CLIENT_ID = 'sandbox-genesys-client';
export const DEMO_CLIENT_SECRET = 'sandbox-genesys-secret';

/** The role trunkgate's OAuth client needs: reading trunks and subscribing to their topics. */
export const TRUNKGATE_ROLE: SimRoleSeed = { name: 'trunkgate', permissions: ['telephony:plugin:all'] };

export const defaultClients: readonly SimClientSeed[] = [
  {
    clientId: DEMO_CLIENT_ID,
    clientSecret: DEMO_CLIENT_SECRET,
    scopes: ['telephony:readonly', 'notifications'],
    roles: [TRUNKGATE_ROLE],
    name: 'trunkgate sandbox',
  },
];

export const defaultOrganization: GenesysNamedEntity = {
  id: '5f4c3b2a-1d0e-4f9a-8b7c-6d5e4f3a2b1c',
  name: 'trunkgate-sandbox',
};

/** Ids of the default trunk bases (one carrier's settings, one trunk per Edge), for tests and the sandbox story. */
export const defaultTrunkBaseIds = {
  lumen: 'b0000000-0000-4000-8000-0000000000b1',
  twilio: 'b0000000-0000-4000-8000-0000000000b2',
  acmePbx: 'b0000000-0000-4000-8000-0000000000b3',
  bandwidthCloud: 'b0000000-0000-4000-8000-0000000000b5',
} as const;

/** Ids of the default trunks, for tests and the sandbox story. */
export const defaultTrunkIds = {
  lumenPrimary: 'a1000000-0000-4000-8000-000000000001',
  lumenSecondary: 'a1000000-0000-4000-8000-000000000002',
  twilio: 'a1000000-0000-4000-8000-000000000003',
  acmePbx: 'a1000000-0000-4000-8000-000000000004',
  phone: 'a1000000-0000-4000-8000-000000000005',
  bandwidthCloudA: 'a1000000-0000-4000-8000-000000000006',
  bandwidthCloudB: 'a1000000-0000-4000-8000-000000000007',
} as const;

/** Ids of the default Edges (two premises Edges, two BYOC Cloud Edges). */
export const defaultEdgeIds = {
  nyc: 'e0000000-0000-4000-8000-0000000000e1',
  chi: 'e0000000-0000-4000-8000-0000000000e2',
  cloudA: 'e0000000-0000-4000-8000-0000000000c1',
  cloudB: 'e0000000-0000-4000-8000-0000000000c2',
} as const;

export type DefaultTrunkKey = keyof typeof defaultTrunkIds;
export type DefaultTrunkBaseKey = keyof typeof defaultTrunkBaseIds | 'phone';
export type DefaultEdgeKey = keyof typeof defaultEdgeIds;

/** The ids a seeded trunk set uses: today's constants for the single default org, derived ones for a named org. */
export interface TrunkSetIds {
  trunks: Record<DefaultTrunkKey, string>;
  trunkBases: Record<DefaultTrunkBaseKey, string>;
  edges: Record<DefaultEdgeKey, string>;
}

export const defaultTrunkSetIds: TrunkSetIds = {
  trunks: defaultTrunkIds,
  trunkBases: { ...defaultTrunkBaseIds, phone: 'b0000000-0000-4000-8000-0000000000b4' },
  edges: defaultEdgeIds,
};

const edgeNames: Record<DefaultEdgeKey, string> = {
  nyc: 'edge-nyc-01',
  chi: 'edge-chi-01',
  cloudA: 'byoc-cloud-us-east-1a',
  cloudB: 'byoc-cloud-us-east-1b',
};
const trunkBaseNames: Record<DefaultTrunkBaseKey, string> = {
  lumen: 'BYOC Carrier - Lumen',
  twilio: 'BYOC Carrier - Twilio Elastic SIP',
  acmePbx: 'BYOC Premises - Acme PBX',
  // BYOC Cloud: the carrier connects to Genesys' own cloud media servers, and the trunk base sets no
  // registration interval, so these trunks report no registration (NOT_SUPPORTED): only their
  // connection and SIP OPTIONS pings show their health (docs/genesys-cloud.md, "Trunks and registration state").
  bandwidthCloud: 'BYOC Cloud - Bandwidth',
  phone: 'PolycomVVX - Phone Trunk',
};

const refs = (ids: TrunkSetIds) => ({
  edge: (key: DefaultEdgeKey) => ({ id: ids.edges[key], name: edgeNames[key] }),
  base: (key: DefaultTrunkBaseKey) => ({ id: ids.trunkBases[key], name: trunkBaseNames[key] }),
});

/**
 * Four registered BYOC Premises (EXTERNAL) trunks on two Edges, two BYOC Cloud trunks that report no
 * registration, and one PHONE trunk a `trunkType=EXTERNAL` query must skip — with today's ids, or those of `ids`.
 */
export function defaultTrunks(ids: TrunkSetIds = defaultTrunkSetIds): SeedTrunk[] {
  const { edge, base } = refs(ids);
  const t = ids.trunks;
  return [
    {
      id: t.lumenPrimary,
      name: 'Lumen SIP - NYC',
      edge: edge('nyc'),
      trunkBase: base('lumen'),
      proxyAddressList: ['sip-a.lumen.example.net:5061', 'sip-b.lumen.example.net:5061'],
      ipAddress: '198.51.100.11',
    },
    {
      id: t.lumenSecondary,
      name: 'Lumen SIP - CHI',
      edge: edge('chi'),
      trunkBase: base('lumen'),
      proxyAddressList: ['sip-a.lumen.example.net:5061'],
      ipAddress: '198.51.100.21',
    },
    {
      id: t.twilio,
      name: 'Twilio Elastic SIP - NYC',
      edge: edge('nyc'),
      trunkBase: base('twilio'),
      proxyAddressList: ['acme.pstn.twilio.example.com:5060'],
      ipAddress: '198.51.100.12',
    },
    {
      id: t.acmePbx,
      name: 'Acme HQ PBX - CHI',
      edge: edge('chi'),
      trunkBase: base('acmePbx'),
      proxyAddressList: ['203.0.113.40:5060'],
      ipAddress: '198.51.100.22',
    },
    {
      id: t.bandwidthCloudA,
      name: 'Bandwidth BYOC Cloud - US East 1a',
      edge: edge('cloudA'),
      trunkBase: base('bandwidthCloud'),
      proxyAddressList: ['sip.bandwidth.example.com:5060'],
      ipAddress: '203.0.113.61',
      registrationNotSupported: true,
    },
    {
      id: t.bandwidthCloudB,
      name: 'Bandwidth BYOC Cloud - US East 1b',
      edge: edge('cloudB'),
      trunkBase: base('bandwidthCloud'),
      proxyAddressList: ['sip.bandwidth.example.com:5060'],
      ipAddress: '203.0.113.62',
      registrationNotSupported: true,
    },
    {
      id: t.phone,
      name: 'Phone Trunk - edge-nyc-01',
      trunkType: 'PHONE',
      edge: edge('nyc'),
      trunkBase: base('phone'),
      proxyAddressList: [],
      ipAddress: '198.51.100.11',
      registersEnabled: false,
    },
  ];
}

/**
 * The id of the n-th generated trunk (from 1): `a2000000-0000-4000-8000-<n>` in the single default org,
 * a UUID derived from the org's name and n in a named org.
 */
export function generatedTrunkId(n: number, org?: string): string {
  return org === undefined ? `a2000000-0000-4000-8000-${String(n).padStart(12, '0')}` : scopedId(org, `generated-trunk-${n}`);
}

/**
 * `count` registered EXTERNAL trunks spread over the two premises Edges, with stable ids
 * (`generatedTrunkId`) and names (`Generated BYOC 0001`), for load and scale tests. Give `org` for a
 * named org: its ids, Edges and trunk bases are then its own (derived from its name).
 */
export function generatedTrunks(count: number, org?: string): SeedTrunk[] {
  const { edge, base } = refs(org === undefined ? defaultTrunkSetIds : orgTrunkSetIds(org));
  return Array.from({ length: count }, (_, i) => {
    const n = i + 1;
    return {
      id: generatedTrunkId(n, org),
      name: `Generated BYOC ${String(n).padStart(4, '0')}`,
      edge: edge(n % 2 === 0 ? 'chi' : 'nyc'),
      trunkBase: base(n % 3 === 0 ? 'twilio' : 'lumen'),
      proxyAddressList: [`sip-${n}.carrier.example.net:5061`],
      ipAddress: `198.51.${100 + Math.floor(n / 250)}.${n % 250}`,
    };
  });
}

const mapIds = <K extends string>(keys: Record<K, string>, org: string, kind: string) =>
  Object.fromEntries(Object.keys(keys).map((k) => [k, scopedId(org, `${kind}:${k}`)])) as Record<K, string>;

/** The ids of a named org's default trunks, trunk bases and Edges: UUIDs derived from its name, never today's constants. */
export function orgTrunkSetIds(org: string): TrunkSetIds {
  return {
    trunks: mapIds(defaultTrunkIds, org, 'trunk'),
    trunkBases: mapIds(defaultTrunkSetIds.trunkBases, org, 'trunk-base'),
    edges: mapIds(defaultEdgeIds, org, 'edge'),
  };
}
