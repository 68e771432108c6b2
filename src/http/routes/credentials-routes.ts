import { Router } from 'express';
import type { UpstreamCredentials } from '../../credentials/upstream-credentials.js';

/** `GET /v1/credentials`: per upstream, token timing and health — never the token. */
export function credentialsRoutes(credentials: UpstreamCredentials[]): Router {
  const router = Router();
  router.get('/credentials', (_req, res) => {
    res.json({ upstreams: credentials.map((c) => c.snapshot()) });
  });
  return router;
}
