import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { defaultTrunkIds } from '../sim/genesys/index.js';
import { sleep, type StoryContext, type StoryStep } from './story.js';

/** Incident timings of the sandbox: short, so the whole story plays in a few minutes. */
export const SANDBOX_INCIDENT_ENV = {
  MONITOR_POLL_INTERVAL_MS: '10000',
  INCIDENT_OPEN_AFTER_MS: '10000',
  INCIDENT_RESOLVE_AFTER_MS: '20000',
  INCIDENT_NOTE_INTERVAL_MS: '30000',
  ALERT_AFTER_MS: '15000',
};

const REJECTED_TRUNK = defaultTrunkIds.lumenPrimary;
const DROPPED_TRUNK = defaultTrunkIds.twilio;
/** A BYOC Cloud trunk: its trunk base has no registration interval, so only SIP OPTIONS show its health. */
const OPTIONS_TRUNK = defaultTrunkIds.bandwidthCloudA;

/** A stand-in for a Slack or Teams incoming webhook: logs the `text` of each alert it receives. */
export async function startHelpdeskWebhook(onAlert: (text: string) => void): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      try {
        onAlert(String((JSON.parse(body) as { text?: unknown }).text));
      } catch {
        onAlert(body);
      }
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/helpdesk`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Polls `check` every 500 ms until it returns a value, or gives up after `timeoutMs` (or when the story stops). */
async function waitFor<T>(
  ctx: StoryContext,
  timeoutMs: number,
  check: () => T | undefined | Promise<T | undefined>,
): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (!ctx.signal.aborted && Date.now() < deadline) {
    const value = await check();
    if (value !== undefined) return value;
    await sleep(500, ctx.signal);
  }
  return undefined;
}

/** The ServiceNow incident about a trunk: its carrier's (trunk base), as INCIDENT_GROUP_BY=trunkBase has it. */
const incidentOf = (ctx: StoryContext, trunkId: string) => {
  const base = ctx.sims.genesys.control.getTrunk(trunkId)?.trunkBase.id;
  const keys = [`trunkgate:trunkbase:${base}`, `trunkgate:trunk:${trunkId}`];
  return ctx.sims.servicenow.incidents().find((i) => keys.includes(String(i.fields.correlation_id)));
};

async function narrateTrunks(ctx: StoryContext): Promise<void> {
  const res = await fetch(`${ctx.baseUrl}/v1/trunks`, { headers: { Authorization: ctx.authorization } });
  const { trunks } = (await res.json()) as {
    trunks: Array<{ id: string; name: string; state: string; signal: string | null; incident: { number: string } | null }>;
  };
  for (const t of trunks) {
    const judged = t.signal === 'options' ? ' (no registration: judged on SIP OPTIONS)' : '';
    ctx.narrate.info(`trunk ${t.name}: ${t.state}${judged}${t.incident ? ` (incident ${t.incident.number})` : ''}`);
  }
}

function narrateIncident(ctx: StoryContext, incident: { number: string; fields: Record<string, unknown> }): void {
  ctx.narrate.info(`ServiceNow incident ${incident.number} opened: ${String(incident.fields.short_description)}`);
  for (const line of String(incident.fields.description).split('\n').filter(Boolean)) ctx.narrate.info(`  | ${line}`);
}

/**
 * The watchdog part of the sandbox story (docs/design.md, 'Sandbox story'): a 403 just after a
 * rotation → incident → recovery → resolved; a BYOC Cloud trunk whose OPTIONS go unanswered; a drop
 * during a ServiceNow outage.
 */
export const watchdogSteps: StoryStep[] = [
  {
    atMs: 15_000,
    title: 'the trunk monitor watches every BYOC trunk (GET /v1/trunks)',
    run: narrateTrunks,
  },
  {
    atMs: 20_000,
    title: 'waiting for the next Genesys token rotation, then the carrier starts refusing REGISTER with 403 on one trunk',
    run: async (ctx) => {
      await new Promise<void>((resolve) => {
        ctx.app.credentials.genesys.on('rotated', () => resolve());
        ctx.signal.addEventListener('abort', () => resolve(), { once: true });
      });
      await sleep(4_000, ctx.signal);
      ctx.sims.genesys.control.setTrunkState(REJECTED_TRUNK, { state: 'rejected', sipCode: 403 });
      ctx.narrate.info(
        'Lumen SIP - NYC: REGISTER answered 403 Forbidden, 4 s after the rotation; an incident opens once it has lasted INCIDENT_OPEN_AFTER_MS (10 s here)',
      );
      const incident = await waitFor(ctx, 60_000, () => incidentOf(ctx, REJECTED_TRUNK));
      if (incident) narrateIncident(ctx, incident);
    },
  },
  {
    atMs: 60_000,
    title:
      'the carrier accepts REGISTER again; the incident is resolved once the trunk has been healthy for INCIDENT_RESOLVE_AFTER_MS (20 s here)',
    run: async (ctx) => {
      ctx.sims.genesys.control.setTrunkState(REJECTED_TRUNK, { state: 'registered' });
      const resolved = await waitFor(ctx, 90_000, () => {
        const incident = incidentOf(ctx, REJECTED_TRUNK);
        return incident && incident.fields.state === '6' ? incident : undefined;
      });
      if (resolved)
        ctx.narrate.info(
          `ServiceNow incident ${resolved.number} resolved: ${String(resolved.fields.close_code)} — ${String(resolved.fields.close_notes)}`,
        );
    },
  },
  {
    atMs: 80_000,
    title: 'a BYOC Cloud trunk (no registration: Genesys reports only its connection and SIP OPTIONS) stops getting answers to OPTIONS',
    run: async (ctx) => {
      ctx.sims.genesys.control.setTrunkState(OPTIONS_TRUNK, { state: 'dropped', sipCode: 408 });
      ctx.narrate.info(
        'Bandwidth BYOC Cloud - US East 1a: SIP OPTIONS time out (408); such a trunk is `connected` while OPTIONS are answered, `dropped` now',
      );
      const incident = await waitFor(ctx, 60_000, () => incidentOf(ctx, OPTIONS_TRUNK));
      if (incident) narrateIncident(ctx, incident);
      ctx.sims.genesys.control.setTrunkState(OPTIONS_TRUNK, { state: 'registered' });
      ctx.narrate.info('OPTIONS are answered again: the trunk is `connected`; its incident is resolved after INCIDENT_RESOLVE_AFTER_MS');
      const resolved = await waitFor(ctx, 90_000, () => (incidentOf(ctx, OPTIONS_TRUNK)?.fields.state === '6' ? true : undefined));
      if (resolved) ctx.narrate.info('…resolved');
    },
  },
  {
    atMs: 110_000,
    title: 'ServiceNow goes down (connections refused for 60 s) and, meanwhile, another trunk drops',
    run: async (ctx) => {
      await ctx.sims.servicenow.control.outage({ mode: 'refused', durationMs: 60_000 });
      ctx.sims.genesys.control.setTrunkState(DROPPED_TRUNK, { state: 'dropped' });
      ctx.narrate.info(
        'Twilio Elastic SIP - NYC: no answer to REGISTER; the incident waits in the outbox (see pendingDeliveries on GET /v1/incidents) and the helpdesk webhook is told after ALERT_AFTER_MS',
      );
      await sleep(30_000, ctx.signal);
      ctx.sims.genesys.control.setTrunkState(DROPPED_TRUNK, { state: 'registered' });
      ctx.narrate.info('Twilio Elastic SIP - NYC registers again while ServiceNow is still down');
      const delivered = await waitFor(ctx, 120_000, () => incidentOf(ctx, DROPPED_TRUNK));
      if (!delivered) return;
      ctx.narrate.info(`ServiceNow is back: the queued incident was delivered as ${delivered.number}`);
      const resolved = await waitFor(ctx, 90_000, () => (incidentOf(ctx, DROPPED_TRUNK)?.fields.state === '6' ? true : undefined));
      if (resolved) ctx.narrate.info(`…and resolved in turn, since the trunk had already recovered`);
      await narrateTrunks(ctx);
      ctx.narrate.info(
        "the story is over; trunkgate keeps running (Ctrl-C to stop). Inject your own faults through the simulators' /__sim endpoints.",
      );
    },
  },
];
