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

const edgeNyc = { id: 'e0000000-0000-4000-8000-0000000000e1', name: 'edge-nyc-01' };
const edgeChi = { id: 'e0000000-0000-4000-8000-0000000000e2', name: 'edge-chi-01' };
/** Ids of the default trunk bases (one carrier's settings, one trunk per Edge), for tests and the sandbox story. */
export const defaultTrunkBaseIds = {
  lumen: 'b0000000-0000-4000-8000-0000000000b1',
  twilio: 'b0000000-0000-4000-8000-0000000000b2',
  acmePbx: 'b0000000-0000-4000-8000-0000000000b3',
  bandwidthCloud: 'b0000000-0000-4000-8000-0000000000b5',
} as const;

const lumen = { id: defaultTrunkBaseIds.lumen, name: 'BYOC Carrier - Lumen' };
const twilio = { id: defaultTrunkBaseIds.twilio, name: 'BYOC Carrier - Twilio Elastic SIP' };
const pbx = { id: defaultTrunkBaseIds.acmePbx, name: 'BYOC Premises - Acme PBX' };
const phoneBase = { id: 'b0000000-0000-4000-8000-0000000000b4', name: 'PolycomVVX - Phone Trunk' };
// BYOC Cloud: the carrier connects to Genesys' own cloud media servers, and the trunk base sets no
// registration interval, so these trunks report no registration (NOT_SUPPORTED): only their
// connection and SIP OPTIONS pings show their health (docs/genesys-cloud.md, "Trunks and registration state").
const bandwidthCloud = { id: defaultTrunkBaseIds.bandwidthCloud, name: 'BYOC Cloud - Bandwidth' };
const cloudEdgeA = { id: 'e0000000-0000-4000-8000-0000000000c1', name: 'byoc-cloud-us-east-1a' };
const cloudEdgeB = { id: 'e0000000-0000-4000-8000-0000000000c2', name: 'byoc-cloud-us-east-1b' };

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

/**
 * Four registered BYOC Premises (EXTERNAL) trunks on two Edges, two BYOC Cloud trunks that report no
 * registration, and one PHONE trunk a `trunkType=EXTERNAL` query must skip.
 */
export function defaultTrunks(): SeedTrunk[] {
  return [
    {
      id: defaultTrunkIds.lumenPrimary,
      name: 'Lumen SIP - NYC',
      edge: edgeNyc,
      trunkBase: lumen,
      proxyAddressList: ['sip-a.lumen.example.net:5061', 'sip-b.lumen.example.net:5061'],
      ipAddress: '198.51.100.11',
    },
    {
      id: defaultTrunkIds.lumenSecondary,
      name: 'Lumen SIP - CHI',
      edge: edgeChi,
      trunkBase: lumen,
      proxyAddressList: ['sip-a.lumen.example.net:5061'],
      ipAddress: '198.51.100.21',
    },
    {
      id: defaultTrunkIds.twilio,
      name: 'Twilio Elastic SIP - NYC',
      edge: edgeNyc,
      trunkBase: twilio,
      proxyAddressList: ['acme.pstn.twilio.example.com:5060'],
      ipAddress: '198.51.100.12',
    },
    {
      id: defaultTrunkIds.acmePbx,
      name: 'Acme HQ PBX - CHI',
      edge: edgeChi,
      trunkBase: pbx,
      proxyAddressList: ['203.0.113.40:5060'],
      ipAddress: '198.51.100.22',
    },
    {
      id: defaultTrunkIds.bandwidthCloudA,
      name: 'Bandwidth BYOC Cloud - US East 1a',
      edge: cloudEdgeA,
      trunkBase: bandwidthCloud,
      proxyAddressList: ['sip.bandwidth.example.com:5060'],
      ipAddress: '203.0.113.61',
      registrationNotSupported: true,
    },
    {
      id: defaultTrunkIds.bandwidthCloudB,
      name: 'Bandwidth BYOC Cloud - US East 1b',
      edge: cloudEdgeB,
      trunkBase: bandwidthCloud,
      proxyAddressList: ['sip.bandwidth.example.com:5060'],
      ipAddress: '203.0.113.62',
      registrationNotSupported: true,
    },
    {
      id: defaultTrunkIds.phone,
      name: 'Phone Trunk - edge-nyc-01',
      trunkType: 'PHONE',
      edge: edgeNyc,
      trunkBase: phoneBase,
      proxyAddressList: [],
      ipAddress: '198.51.100.11',
      registersEnabled: false,
    },
  ];
}

/**
 * `count` registered EXTERNAL trunks spread over the two default Edges, with stable ids
 * (`a2000000-0000-4000-8000-<n>`) and names (`Generated BYOC 0001`), for load and scale tests.
 */
export function generatedTrunks(count: number): SeedTrunk[] {
  return Array.from({ length: count }, (_, i) => {
    const n = i + 1;
    const edge = n % 2 === 0 ? edgeChi : edgeNyc;
    return {
      id: `a2000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
      name: `Generated BYOC ${String(n).padStart(4, '0')}`,
      edge,
      trunkBase: n % 3 === 0 ? twilio : lumen,
      proxyAddressList: [`sip-${n}.carrier.example.net:5061`],
      ipAddress: `198.51.${100 + Math.floor(n / 250)}.${n % 250}`,
    };
  });
}
