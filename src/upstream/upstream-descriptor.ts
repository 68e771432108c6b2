import type { UpstreamCredentials, UpstreamName } from '../credentials/upstream-credentials.js';
import type { UpstreamApi } from './upstream-api.js';
import type { UpstreamPacer } from './upstream-pacer.js';

export type { UpstreamName } from '../credentials/upstream-credentials.js';

/**
 * One configured upstream, as the generic plumbing sees it (/readyz, /v1/credentials, the mapping
 * loader, the action runner, start and stop): built once, in the composition root, for each upstream.
 * Code that talks to one upstream in particular (the trunk monitor, the incident delivery) is handed
 * that upstream's client and credentials by the composition root instead.
 */
export interface UpstreamDescriptor<Client extends UpstreamApi = UpstreamApi> {
  readonly name: UpstreamName;
  /** Which connection of it: the Genesys org or ServiceNow instance name (`default` without a connections file). */
  readonly connection: string;
  /** Its API's base URL, and its token endpoint's when that is another host (Genesys: login.<region>). */
  readonly baseUrls: { readonly api: string; readonly login?: string };
  readonly credentials: UpstreamCredentials;
  /** The one pacing budget of every call to it (with REDIS_URL, of every replica's). */
  readonly pacer: UpstreamPacer;
  /** The paced, retrying client; every caller of the upstream shares it. */
  readonly client: Client;
  /** Paths a mapping step may call (`/api/v2/`): the API trunkgate holds credentials for, nothing else on the host. */
  readonly pathPrefix: string;
  /** Whether its credentials can be had, as /readyz shows it under `name` (`genesys-token`, `servicenow-credentials`). */
  readonly readiness: UpstreamReadiness;
}

/** A readiness check (the shape http/readiness.ts runs). */
export interface UpstreamReadiness {
  readonly name: string;
  check(): Promise<{ ok: boolean; detail?: string }>;
}

/** What a mapping file may name as its upstream, and the paths it may call there (no client needed to check a file). */
export type MappingTarget = Pick<UpstreamDescriptor, 'name' | 'pathPrefix'>;
