import type { Models } from 'purecloud-platform-client-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startGenesysSim,
  defaultOrganization,
  defaultTrunkIds,
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  type GenesysChannel,
  type GenesysChannelListing,
  type GenesysChannelTopicListing,
  type GenesysErrorBody,
  type GenesysOrganization,
  type GenesysSystemMessage,
  type GenesysTrunkTopicBody,
  type GenesysSim,
  type GenesysTokenInfo,
  type GenesysTrunk,
  type GenesysTrunkListing,
  type TrunkEventBody,
} from '../../src/sim/genesys/index.js';
import { openTestSocket } from '../support/ws-client.js';

// ---- Type-level proof (checked by `tsc` in `npm test`) -------------------------------------
// Every key the simulator's wire types declare, at any depth, must exist on the SDK model.
// A misspelt field ("registerStatus", "OauthClient") turns ExtraKeys into its path and fails here.
type ExtraKeys<A, B, Path extends string = ''> = A extends readonly (infer EA)[]
  ? NonNullable<B> extends readonly (infer EB)[]
    ? ExtraKeys<EA, EB, `${Path}[]`>
    : `${Path} is not an array in the SDK`
  : A extends object
    ? {
        [K in keyof A & string]-?: K extends keyof NonNullable<B>
          ? ExtraKeys<NonNullable<A[K]>, NonNullable<NonNullable<B>[K]>, `${Path}.${K}`>
          : `${Path}.${K}`;
      }[keyof A & string]
    : never;
type ExpectNone<T extends never> = T;

export type TrunkKeysAreSdkKeys = ExpectNone<ExtraKeys<GenesysTrunk, Models.Trunk>>;
export type ListingKeysAreSdkKeys = ExpectNone<ExtraKeys<GenesysTrunkListing, Models.TrunkEntityListing>>;
export type TokenInfoKeysAreSdkKeys = ExpectNone<ExtraKeys<GenesysTokenInfo, Models.TokenInfo>>;
export type ErrorBodyKeysAreSdkKeys = ExpectNone<ExtraKeys<GenesysErrorBody, Models.ErrorBody>>;
export type ChannelKeysAreSdkKeys = ExpectNone<ExtraKeys<GenesysChannel, Models.Channel>>;
export type ChannelListingKeysAreSdkKeys = ExpectNone<ExtraKeys<GenesysChannelListing, Models.ChannelEntityListing>>;
export type TopicListingKeysAreSdkKeys = ExpectNone<ExtraKeys<GenesysChannelTopicListing, Models.ChannelTopicEntityListing>>;
export type TrunkTopicKeysAreSdkKeys = ExpectNone<ExtraKeys<GenesysTrunkTopicBody, Models.TrunkInstanceTopicTrunk>>;
export type PartialTrunkTopicKeysAreSdkKeys = ExpectNone<ExtraKeys<TrunkEventBody, Models.TrunkInstanceTopicTrunk>>;
export type SystemMessageKeysAreSdkKeys = ExpectNone<ExtraKeys<GenesysSystemMessage, Models.SystemMessageSystemMessage>>;
export type OrganizationKeysAreSdkKeys = ExpectNone<ExtraKeys<GenesysOrganization, Models.Organization>>;

// ...and the values must be assignable to the SDK types (right primitive types, required fields present).
export const trunkIsSdkTrunk = (t: GenesysTrunk): Models.Trunk => t;
export const listingIsSdkListing = (l: GenesysTrunkListing): Models.TrunkEntityListing => l;
export const tokenInfoIsSdkTokenInfo = (i: GenesysTokenInfo): Models.TokenInfo => i;
export const errorIsSdkErrorBody = (e: GenesysErrorBody): Models.ErrorBody => e;
export const channelIsSdkChannel = (c: GenesysChannel): Models.Channel => c;
export const channelListingIsSdkListing = (l: GenesysChannelListing): Models.ChannelEntityListing => l;
export const topicListingIsSdkListing = (l: GenesysChannelTopicListing): Models.ChannelTopicEntityListing => l;
export const trunkTopicIsSdkTopic = (b: GenesysTrunkTopicBody): Models.TrunkInstanceTopicTrunk => b;
export const partialTrunkTopicIsSdkTopic = (b: TrunkEventBody): Models.TrunkInstanceTopicTrunk => b;
export const systemMessageIsSdkMessage = (m: GenesysSystemMessage): Models.SystemMessageSystemMessage => m;
export const organizationIsSdkOrganization = (o: GenesysOrganization): Models.Organization => o;

// ---- Runtime proof: what actually goes over the wire uses only SDK field names --------------
// The trees are object literals typed by the SDK models, so a key that is not in the SDK fails tsc;
// the walk below fails the test if a response carries a key that is not in the tree.
type KeyTree<T> = {
  [K in keyof T]?:
    | true
    | (NonNullable<T[K]> extends readonly (infer E)[]
        ? E extends object
          ? KeyTree<E>
          : true
        : NonNullable<T[K]> extends object
          ? KeyTree<NonNullable<T[K]>>
          : true);
};

const errorInfoTree: KeyTree<Models.TrunkErrorInfo> = { text: true, code: true, details: { code: true, message: true, hostname: true } };
const refTree: KeyTree<Models.DomainEntityRef> = { id: true, name: true, selfUri: true };
const trunkTree: KeyTree<Models.Trunk> = {
  id: true,
  name: true,
  version: true,
  dateCreated: true,
  dateModified: true,
  state: true,
  trunkType: true,
  edge: refTree,
  trunkBase: refTree,
  inService: true,
  enabled: true,
  connectedStatus: { connected: true, connectedStateTime: true },
  optionsStatus: { proxyAddress: true, optionState: true, optionStateTime: true, errorInfo: errorInfoTree },
  registersStatus: { proxyAddress: true, registerState: true, registerStateTime: true, errorInfo: errorInfoTree },
  ipStatus: { address: true, errorInfo: errorInfoTree },
  optionsEnabledStatus: true,
  registersEnabledStatus: true,
  family: true,
  proxyAddressList: true,
  selfUri: true,
};
const listingTree: KeyTree<Models.TrunkEntityListing> = {
  entities: trunkTree,
  pageSize: true,
  pageNumber: true,
  total: true,
  pageCount: true,
  firstUri: true,
  selfUri: true,
  lastUri: true,
  nextUri: true,
  previousUri: true,
};
const namedTree: KeyTree<Models.NamedEntity> = { id: true, name: true };
const tokenInfoTree: KeyTree<Models.TokenInfo> = {
  organization: namedTree,
  homeOrganization: namedTree,
  authorizedScope: true,
  OAuthClient: { id: true, name: true, authorizedGrantType: true, organization: namedTree },
};
const organizationTree: KeyTree<Models.Organization> = {
  id: true,
  name: true,
  defaultLanguage: true,
  defaultCountryCode: true,
  thirdPartyOrgName: true,
  domain: true,
  version: true,
  state: true,
  voicemailEnabled: true,
  productPlatform: true,
  selfUri: true,
};
const errorBodyTree: KeyTree<Models.ErrorBody> = {
  message: true,
  code: true,
  status: true,
  messageWithParams: true,
  messageParams: true,
  contextId: true,
  details: true,
  errors: true,
};

const channelTree: KeyTree<Models.Channel> = { id: true, connectUri: true, expires: true };
const topicListingTree: KeyTree<Models.ChannelTopicEntityListing> = {
  entities: { id: true, state: true, rejectionReason: true, missingPermissions: true, selfUri: true },
};
const topicErrorInfoTree: KeyTree<Models.TrunkInstanceTopicTrunkErrorInfo> = {
  text: true,
  code: true,
  details: { code: true, message: true, hostname: true },
};
const trunkTopicTree: KeyTree<Models.TrunkInstanceTopicTrunk> = {
  id: true,
  connectedStatus: { connected: true, connectedStateTime: true },
  optionsStatus: { proxyAddress: true, optionState: true, optionStateTime: true, errorInfo: topicErrorInfoTree },
  registersStatus: { proxyAddress: true, registerState: true, registerStateTime: true, errorInfo: topicErrorInfoTree },
  ipStatus: { address: true, errorInfo: topicErrorInfoTree },
};
const systemMessageTree: KeyTree<Models.SystemMessageSystemMessage> = {
  channelId: true,
  systemTopicType: true,
  correlationId: true,
  oauthClientId: true,
  message: true,
  reason: true,
};
// The frame envelope has no SDK model (the JS SDK has no notification handler): the Genesys guide's names.
const frameTree = (eventBody: unknown) => ({ topicName: true, version: true, eventBody, metadata: { CorrelationId: true } });

/** Paths in `value` that `tree` does not allow. */
function unknownKeys(value: unknown, tree: unknown, path = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => unknownKeys(v, tree, `${path}[${i}]`));
  if (typeof value !== 'object' || value === null || tree === true) return [];
  const allowed = tree as Record<string, unknown>;
  return Object.entries(value).flatMap(([k, v]) => (k in allowed ? unknownKeys(v, allowed[k], `${path}.${k}`) : [`${path}.${k}`]));
}

describe('Genesys simulator payloads match the official SDK models', () => {
  let sim: GenesysSim;
  let token: string;
  const api = (path: string) => fetch(`${sim.url}${path}`, { headers: { Authorization: `Bearer ${token}` } });

  beforeAll(async () => {
    sim = await startGenesysSim();
    const res = await fetch(`${sim.url}/oauth/token`, {
      method: 'POST',
      headers: {
        Authorization: `Basic ${Buffer.from(`${DEMO_CLIENT_ID}:${DEMO_CLIENT_SECRET}`).toString('base64')}`,
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    token = ((await res.json()) as { access_token: string }).access_token;
    // Put every optional branch on the wire: errorInfo on registers and options.
    sim.control.setTrunkState(defaultTrunkIds.lumenPrimary, { state: 'dropped' });
    sim.control.setTrunkState(defaultTrunkIds.twilio, {
      state: 'rejected',
      sipCodeIn: ['details.code', 'code', 'text', 'details.message'],
    });
  });
  afterAll(() => sim.close());

  it('GET /trunks answers only TrunkEntityListing / Trunk fields', async () => {
    const res = await api('/api/v2/telephony/providers/edges/trunks?pageSize=2&pageNumber=2');
    const body = (await res.json()) as GenesysTrunkListing;
    expect(body.nextUri).toBeDefined();
    expect(body.previousUri).toBeDefined();
    expect(unknownKeys(body, listingTree)).toEqual([]);
  });

  it('GET /trunks/{id} answers only Trunk fields, errorInfo included', async () => {
    for (const id of [defaultTrunkIds.lumenPrimary, defaultTrunkIds.twilio]) {
      const body = (await (await api(`/api/v2/telephony/providers/edges/trunks/${id}`)).json()) as GenesysTrunk;
      expect(body.registersStatus[0]!.errorInfo).toBeDefined();
      expect(unknownKeys(body, trunkTree)).toEqual([]);
    }
  });

  it('GET /tokens/me answers only TokenInfo fields', async () => {
    const body = (await (await api('/api/v2/tokens/me')).json()) as GenesysTokenInfo;
    expect(unknownKeys(body, tokenInfoTree)).toEqual([]);
  });

  it('GET /organizations/me answers only Organization fields', async () => {
    const body = await (await api('/api/v2/organizations/me')).json();
    expect(body).toMatchObject({ id: defaultOrganization.id, name: defaultOrganization.name });
    expect(unknownKeys(body, organizationTree)).toEqual([]);
  });

  it('notification channels, subscriptions and frames (full and partial trunk events, system topics) use only Channel / ChannelTopic / TrunkInstanceTopicTrunk / SystemMessage fields', async () => {
    const post = (path: string, body?: unknown, method = 'POST') =>
      fetch(`${sim.url}${path}`, {
        method,
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
    const channel = (await (await post('/api/v2/notifications/channels')).json()) as GenesysChannel;
    expect(unknownKeys(channel, channelTree)).toEqual([]);
    const topic = `v2.telephony.providers.edges.trunks.${defaultTrunkIds.acmePbx}`;
    const listing = await (await post(`/api/v2/notifications/channels/${channel.id}/subscriptions`, [{ id: topic }], 'PUT')).json();
    expect(unknownKeys(listing, topicListingTree)).toEqual([]);

    const socket = await openTestSocket(channel.connectUri);
    sim.control.setTrunkState(defaultTrunkIds.acmePbx, { state: 'dropped' });
    const event = await socket.next((f) => f.topicName === topic);
    expect(unknownKeys(event, frameTree(trunkTopicTree))).toEqual([]);
    sim.control.setPartialEvents({ enabled: true });
    sim.control.setTrunkState(defaultTrunkIds.acmePbx, { state: 'rejected' });
    const patch = await socket.next((f) => f.topicName === topic && f !== event);
    expect(Object.keys(patch.eventBody as object).length).toBeLessThan(5);
    expect(unknownKeys(patch, frameTree(trunkTopicTree))).toEqual([]);
    sim.control.setPartialEvents({ enabled: false });
    sim.control.sendSocketClosing({ graceMs: 60_000 });
    const closing = await socket.next((f) => f.topicName === 'v2.system.socket_closing');
    expect(unknownKeys(closing, frameTree(systemMessageTree))).toEqual([]);
    sim.control.sendNoLongerSubscribed();
    const unsubscribed = await socket.next((f) => f.topicName === `v2.system.no_longer_subscribed.${channel.id}`);
    expect(unknownKeys(unsubscribed, frameTree(systemMessageTree))).toEqual([]);
    sim.control.sendTokenRevoked();
    const revoked = await socket.next((f) => f.topicName === `v2.system.token_revoked.${channel.id}`);
    expect(unknownKeys(revoked, frameTree(systemMessageTree))).toEqual([]);
    socket.close();
  });

  it('errors answer only ErrorBody fields', async () => {
    const body = (await (await api('/api/v2/telephony/providers/edges/trunks/nope')).json()) as GenesysErrorBody;
    expect(body.code).toBe('not.found');
    expect(unknownKeys(body, errorBodyTree)).toEqual([]);
  });
});
