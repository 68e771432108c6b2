/**
 * JSON shapes the simulator puts on the wire, named after the Genesys Cloud models they mirror
 * (`Trunk`, `TrunkEntityListing`, `TokenInfo`, `ErrorBody` in the official SDK's index.d.ts).
 * They are declared here instead of imported from `purecloud-platform-client-v2` because that
 * package is a devDependency; test/sim/genesys-types.test.ts proves each shape against the SDK.
 */

/** `DomainEntityRef`. */
export interface GenesysEntityRef {
  id: string;
  name: string;
  selfUri: string;
}

/** `NamedEntity`. */
export interface GenesysNamedEntity {
  id: string;
  name: string;
}

/** `TrunkErrorInfo`: where the SIP code lives is unconfirmed, so the simulator can put it in each field. */
export interface GenesysTrunkErrorInfo {
  text?: string;
  code?: string;
  details?: {
    code?: string;
    message?: string;
    hostname?: string;
  };
}

/** `TrunkMetricsRegisters`. */
export interface GenesysRegisterStatus {
  proxyAddress: string;
  registerState: boolean;
  registerStateTime: string;
  errorInfo?: GenesysTrunkErrorInfo;
}

/** `TrunkMetricsOptions`. */
export interface GenesysOptionStatus {
  proxyAddress: string;
  optionState: boolean;
  optionStateTime: string;
  errorInfo?: GenesysTrunkErrorInfo;
}

export type GenesysTrunkType = 'EXTERNAL' | 'PHONE' | 'EDGE';
export type GenesysEnabledStatus = 'ENABLED' | 'DISABLED' | 'NOT_SUPPORTED';

/** `Trunk` with the fields docs/genesys-cloud.md lists ('Trunks and registration state') (plus the usual entity bookkeeping). */
export interface GenesysTrunk {
  id: string;
  name: string;
  version: number;
  dateCreated: string;
  dateModified: string;
  state: 'active' | 'inactive' | 'deleted';
  trunkType: GenesysTrunkType;
  edge: GenesysEntityRef;
  trunkBase: GenesysEntityRef;
  inService: boolean;
  enabled: boolean;
  connectedStatus: { connected: boolean; connectedStateTime: string };
  optionsStatus: GenesysOptionStatus[];
  registersStatus: GenesysRegisterStatus[];
  ipStatus: { address: string; errorInfo?: GenesysTrunkErrorInfo };
  optionsEnabledStatus: GenesysEnabledStatus;
  registersEnabledStatus: GenesysEnabledStatus;
  family: number;
  proxyAddressList: string[];
  selfUri: string;
}

/** `TrunkEntityListing`. */
export interface GenesysTrunkListing {
  entities: GenesysTrunk[];
  pageSize: number;
  pageNumber: number;
  total: number;
  pageCount: number;
  firstUri: string;
  selfUri: string;
  lastUri: string;
  nextUri?: string;
  previousUri?: string;
}

/** `TokenInfo` for a client-credentials token. */
export interface GenesysTokenInfo {
  organization: GenesysNamedEntity;
  homeOrganization: GenesysNamedEntity;
  authorizedScope: string[];
  OAuthClient: {
    id: string;
    name: string;
    authorizedGrantType: 'CLIENT-CREDENTIALS';
    organization: GenesysNamedEntity;
  };
}

/** `ErrorBody`, the platform API's error shape. */
export interface GenesysErrorBody {
  message: string;
  code: string;
  status: number;
  messageWithParams?: string;
  messageParams?: Record<string, string>;
  contextId: string;
  details: never[];
  errors: never[];
}

/** The login service's error shape (`description` duplicates `error_description`). */
export interface GenesysOAuthError {
  error: string;
  description: string;
  error_description: string;
}

/** Successful client-credentials grant. */
export interface GenesysTokenResponse {
  access_token: string;
  token_type: 'bearer';
  expires_in: number;
}

/** `Channel`: what `POST /api/v2/notifications/channels` answers. */
export interface GenesysChannel {
  id: string;
  connectUri: string;
  expires: string;
}

/** `ChannelEntityListing`. */
export interface GenesysChannelListing {
  entities: GenesysChannel[];
}

/** `ChannelTopicEntityListing`: a channel's subscriptions. */
export interface GenesysChannelTopicListing {
  entities: Array<{ id: string }>;
}

/** `TrunkInstanceTopicTrunk`: the body of a `v2.telephony.providers.edges.trunks.{id}` event. */
export interface GenesysTrunkTopicBody {
  id: string;
  connectedStatus: GenesysTrunk['connectedStatus'];
  optionsStatus: GenesysOptionStatus[];
  registersStatus: GenesysRegisterStatus[];
  ipStatus: GenesysTrunk['ipStatus'];
}

/**
 * `SystemMessageSystemMessage`: the body of `v2.system.socket_closing`, `v2.system.no_longer_subscribed.{id}`
 * and `v2.system.token_revoked.{id}` (which fields Genesys fills for each is unconfirmed).
 */
export interface GenesysSystemMessage {
  channelId: string;
  systemTopicType?: string;
  correlationId?: string;
  oauthClientId?: string;
  reason?: string;
  message: string;
}

/** One websocket frame the notification service sends (JSON text). */
export type GenesysNotificationFrame =
  | { topicName: 'channel.metadata'; eventBody: { message: 'WebSocket Heartbeat' | 'pong' } }
  | { topicName: string; version: string; eventBody: GenesysSystemMessage }
  // A trunk event: a full GenesysTrunkTopicBody unless partial events are on (or a test pushes its own body).
  | {
      topicName: string;
      version: string;
      eventBody: Partial<GenesysTrunkTopicBody> | Record<string, unknown>;
      metadata: { CorrelationId: string };
    };

/** `Organization`: what `GET /api/v2/organizations/me` answers. */
export interface GenesysOrganization {
  id: string;
  name: string;
  defaultLanguage: string;
  defaultCountryCode: string;
  thirdPartyOrgName: string;
  domain: string;
  version: number;
  state: 'active' | 'inactive' | 'deleted';
  voicemailEnabled: boolean;
  productPlatform: string;
  selfUri: string;
}
