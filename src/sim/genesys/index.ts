export { startGenesysSim, type GenesysSim } from './genesys-sim.js';
export { createGenesysSimApp } from './genesys-sim-app.js';
export type { GenesysSimOptions, SimOrgSeed } from './genesys-sim-options.js';
export type { GenesysSimState } from './genesys-sim-state.js';
export { SimRegion, type SimHttpRequest } from './sim-region.js';
export {
  createGenesysSimControl,
  type GenesysSimControl,
  type GenesysSimSettings,
  type SimChannelInfo,
  type SimOrgInfo,
} from './sim-control.js';
export { TRUNK_TOPIC_PREFIX, type HeartbeatSettings } from './notification-hub.js';
export { trunkEventFields, type PartialEventSettings, type TrunkEventBody, type TrunkEventField } from './partial-events.js';
export { SimControlError } from './sim-control-error.js';
export type { GenesysClientControl, SimClientInfo } from './client-control.js';
export type { GenesysTrunkControl } from './trunk-control.js';
export type { GenesysChannelControl } from './channel-control.js';
export { TRUNK_READ_PERMISSION } from './client-access.js';
export type { GenesysSimStats } from './sim-stats.js';
export type { ApiFault, TokenEndpointFault } from './faults.js';
export type { SeedTrunk, TrunkEvents } from './trunk-store.js';
export type { SipCodePlacement, TrunkHealthState, TrunkStateChange } from './trunk-health.js';
export { buildTrunkListing, type TrunkQuery } from './trunk-wire.js';
export { buildOrganization, buildTokenInfo } from './api-routes.js';
export {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  defaultClients,
  defaultEdgeIds,
  defaultOrganization,
  defaultTrunkBaseIds,
  defaultTrunkIds,
  defaultTrunks,
  generatedTrunkId,
  generatedTrunks,
  TRUNKGATE_ROLE,
  type DefaultEdgeKey,
  type DefaultTrunkBaseKey,
  type DefaultTrunkKey,
  type SimClientSeed,
  type SimRoleSeed,
} from './default-seed.js';
export { orgClient, orgEdgeIds, orgGeneratedTrunks, orgOrganization, orgTrunkBaseIds, orgTrunkIds, orgTrunks } from './org-seed.js';
export type * from './wire-types.js';
