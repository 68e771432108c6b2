import { sleep, type StoryActivity, type StoryStep } from './story.js';

/** Genesys tokens live 80 s in the sandbox, so the broker rotates them about once a minute. */
export const SANDBOX_TOKEN_LIFETIME_SEC = 80;
/** A new Genesys token is refused this long after issue (the real-world propagation race). */
export const SANDBOX_PROPAGATION_LAG_MS = 2_000;

export const foundationSteps: StoryStep[] = [
  {
    atMs: 0,
    title: 'Genesys Cloud has BYOC trunks, all registered; new tokens are refused for 2 s after issue (propagation lag)',
    run: ({ sims, narrate }) => {
      sims.genesys.control.setPropagationLag(SANDBOX_PROPAGATION_LAG_MS);
      narrate.info('watch for "token rotated": each new token is verified before it replaces the old one', {
        tokenLifetimeSec: SANDBOX_TOKEN_LIFETIME_SEC,
      });
    },
  },
  {
    atMs: 5_000,
    title: 'the credential broker holds a verified token; see GET /v1/credentials',
    run: async ({ baseUrl, authorization, narrate, perOrg }) => {
      const res = await fetch(`${baseUrl}/v1/credentials`, { headers: { Authorization: authorization } });
      const body = (await res.json()) as {
        upstreams: Array<{ name: string; connection?: string; expiresAt: string; nextRefreshAt: string; verified: boolean }>;
      };
      for (const u of body.upstreams)
        narrate.info(`credentials ${u.name}${perOrg && u.connection ? ` (${u.connection})` : ''}`, {
          expiresAt: u.expiresAt,
          nextRefreshAt: u.nextRefreshAt,
          verified: u.verified,
        });
    },
  },
];

/**
 * Steady Genesys traffic through trunkgate's own Genesys client of the default org (its broker, its
 * pacing budget); a summary line every 15 s shows it never fails.
 */
export const brokeredTraffic: StoryActivity = async ({ app, sims, orgs, narrate, signal }) => {
  const client = app.upstream.genesys.client;
  const trunkIds = sims.genesys.control
    .org(orgs[0]!.simOrg)
    .listTrunks()
    .map((t) => t.id);
  let calls = 0;
  let errors = 0;
  let rotations = 0;
  app.credentials.genesys.on('rotated', () => {
    rotations += 1;
  });
  let lastReport = Date.now();
  while (!signal.aborted) {
    try {
      await client.getTrunk(trunkIds[calls % trunkIds.length]!);
    } catch (err) {
      errors += 1;
      narrate.warn('traffic call failed', { err });
    }
    calls += 1;
    if (Date.now() - lastReport >= 15_000) {
      narrate.info(`traffic: ${calls} Genesys calls, ${errors} errors, ${rotations} token rotations so far`);
      lastReport = Date.now();
    }
    await sleep(250, signal);
  }
};
