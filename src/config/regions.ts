/** Genesys Cloud regions (SDK PureCloudRegionHosts.js; docs/genesys-cloud.md, 'Regions'). */
export const GENESYS_REGIONS = [
  'mypurecloud.com',
  'mypurecloud.ie',
  'mypurecloud.com.au',
  'mypurecloud.jp',
  'mypurecloud.de',
  'usw2.pure.cloud',
  'cac1.pure.cloud',
  'apne2.pure.cloud',
  'euw2.pure.cloud',
  'aps1.pure.cloud',
  'use2.us-gov-pure.cloud',
  'sae1.pure.cloud',
  'mec1.pure.cloud',
  'apne3.pure.cloud',
  'euc2.pure.cloud',
  'mxc1.pure.cloud',
  'apse1.pure.cloud',
] as const;

export type GenesysRegion = (typeof GENESYS_REGIONS)[number];

/** Login and API base URLs of a region: login.<region> and api.<region>. */
export function regionUrls(region: GenesysRegion): { loginUrl: string; apiUrl: string } {
  return { loginUrl: `https://login.${region}`, apiUrl: `https://api.${region}` };
}

export function isGenesysRegion(value: string): value is GenesysRegion {
  return (GENESYS_REGIONS as readonly string[]).includes(value);
}
