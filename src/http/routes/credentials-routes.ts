import { Router } from 'express';
import type { UpstreamCredentials } from '../../credentials/upstream-credentials.js';
import type { AccessControl } from '../access-control.js';
import type { CredentialsResponse } from '../schemas.js';

/** `GET /v1/credentials`: per upstream, token timing and health — never the token. */
export function credentialsRoutes(credentials: UpstreamCredentials[], access: AccessControl): Router {
  const router = Router();
  router.get('/credentials', access.allow('GET /v1/credentials'), (_req, res) => {
    res.json({ upstreams: credentials.map((c) => c.snapshot()) } satisfies CredentialsResponse);
  });
  return router;
}
