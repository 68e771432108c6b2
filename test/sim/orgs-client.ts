import { orgClient, type GenesysSim, type GenesysTokenResponse } from '../../src/sim/genesys/index.js';

/** A caller of a several-org Genesys simulator: tokens by org name (its demo client), API and control calls. */
export function orgsClient(sim: () => GenesysSim) {
  const grant = (clientId: string, secret: string) =>
    fetch(`${sim().url}/oauth/token`, {
      method: 'POST',
      headers: {
        Authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
  const token = async (org: string) => {
    const res = await grant(orgClient(org).clientId, orgClient(org).clientSecret);
    if (res.status !== 200) throw new Error(`no token for ${org}: ${res.status}`);
    return ((await res.json()) as GenesysTokenResponse).access_token;
  };
  const api = (t: string, path: string, init: { method?: string; body?: unknown } = {}) =>
    fetch(`${sim().url}${path}`, {
      method: init.method ?? 'GET',
      headers: { Authorization: `Bearer ${t}`, ...(init.body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
  const control = (method: string, path: string, body?: unknown) =>
    fetch(`${sim().url}/__sim/genesys${path}`, {
      method,
      headers: { 'Content-Type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  return { grant, token, api, control };
}
