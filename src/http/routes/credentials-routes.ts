import { Router } from 'express';
import type { CredentialsEntry } from '../../credentials/token-types.js';
import type { UpstreamCredentials } from '../../credentials/upstream-credentials.js';
import type { AccessControl } from '../access-control.js';
import type { CredentialsResponse } from '../schemas.js';

/** `GET /v1/credentials`: per connection (each Genesys org, each ServiceNow instance), token timing and health — never the token. */
export function credentialsRoutes(
  connections: ReadonlyArray<{ connection: string; credentials: UpstreamCredentials }>,
  access: AccessControl,
): Router {
  const router = Router();
  router.get('/credentials', access.allow('GET /v1/credentials'), (_req, res) => {
    res.json({
      upstreams: connections.map((c): CredentialsEntry => ({ ...c.credentials.snapshot(), connection: c.connection })),
    } satisfies CredentialsResponse);
  });
  return router;
}
