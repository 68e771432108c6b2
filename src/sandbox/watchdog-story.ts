import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { subjectNames } from '../trunks/subject-names.js';
import type { SandboxOrg } from './sandbox-setup.js';
import { sleep, type StoryContext, type StoryStep } from './story.js';

/** Incident timings of the sandbox: short, so the whole story plays in a few minutes. */
export const SANDBOX_INCIDENT_ENV = {
  MONITOR_POLL_INTERVAL_MS: '10000',
  INCIDENT_OPEN_AFTER_MS: '10000',
  INCIDENT_RESOLVE_AFTER_MS: '20000',
  INCIDENT_NOTE_INTERVAL_MS: '30000',
  ALERT_AFTER_MS: '15000',
};

/**
 * The trunks of the story: the rejected and the dropped one in the default org, the BYOC Cloud trunk
 * (its trunk base has no registration interval, so only SIP OPTIONS show its health) in the last org,
 * so with SANDBOX_ORGS=2 incidents go to each org's ServiceNow instance.
 */
const rejectedTrunk = (ctx: StoryContext) => ({ org: ctx.orgs[0]!, trunkId: ctx.orgs[0]!.trunkIds.lumenPrimary });
const droppedTrunk = (ctx: StoryContext) => ({ org: ctx.orgs[0]!, trunkId: ctx.orgs[0]!.trunkIds.twilio });
const optionsTrunk = (ctx: StoryContext) => ({ org: ctx.orgs.at(-1)!, trunkId: ctx.orgs.at(-1)!.trunkIds.bandwidthCloudA });
type StoryTrunk = { org: SandboxOrg; trunkId: string };

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

/** The ServiceNow incident about a trunk, at its org's instance: its carrier's (trunk base), as INCIDENT_GROUP_BY=trunkBase has it. */
const incidentOf = (ctx: StoryContext, { org, trunkId }: StoryTrunk) => {
  const names = subjectNames(ctx.perOrg);
  const base = ctx.sims.genesys.control.getTrunk(trunkId)?.trunkBase.id ?? '';
  const keys = [names.trunkBase(org.name, base), names.trunk(org.name, trunkId)];
  return org.servicenow.incidents().find((i) => keys.includes(String(i.fields.correlation_id)));
};

async function narrateTrunks(ctx: StoryContext): Promise<void> {
  const res = await fetch(`${ctx.baseUrl}/v1/trunks`, { headers: { Authorization: ctx.authorization } });
  const { trunks } = (await res.json()) as {
    trunks: Array<{ id: string; org?: string; name: string; state: string; signal: string | null; incident: { number: string } | null }>;
  };
  // With several orgs, one org after the other (each by name, as /v1/trunks lists them).
  const ordered = ctx.perOrg ? [...trunks].sort((a, b) => (a.org ?? '').localeCompare(b.org ?? '')) : trunks;
  for (const t of ordered) {
    const judged = t.signal === 'options' ? ' (no registration: judged on SIP OPTIONS)' : '';
    const org = ctx.perOrg ? `[org ${t.org}] ` : '';
    ctx.narrate.info(`${org}trunk ${t.name}: ${t.state}${judged}${t.incident ? ` (incident ${t.incident.number})` : ''}`);
  }
}

function narrateIncident(ctx: StoryContext, org: SandboxOrg, incident: { number: string; fields: Record<string, unknown> }): void {
  const where = ctx.perOrg ? ` (org ${org.name} → ServiceNow instance ${org.instance})` : '';
  ctx.narrate.info(`ServiceNow incident ${incident.number} opened${where}: ${String(incident.fields.short_description)}`);
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
      const trunk = rejectedTrunk(ctx);
      ctx.sims.genesys.control.setTrunkState(trunk.trunkId, { state: 'rejected', sipCode: 403 });
      ctx.narrate.info(
        'Lumen SIP - NYC: REGISTER answered 403 Forbidden, 4 s after the rotation; an incident opens once it has lasted INCIDENT_OPEN_AFTER_MS (10 s here)',
      );
      const incident = await waitFor(ctx, 60_000, () => incidentOf(ctx, trunk));
      if (incident) narrateIncident(ctx, trunk.org, incident);
    },
  },
  {
    atMs: 60_000,
    title:
      'the carrier accepts REGISTER again; the incident is resolved once the trunk has been healthy for INCIDENT_RESOLVE_AFTER_MS (20 s here)',
    run: async (ctx) => {
      const trunk = rejectedTrunk(ctx);
      ctx.sims.genesys.control.setTrunkState(trunk.trunkId, { state: 'registered' });
      const resolved = await waitFor(ctx, 90_000, () => {
        const incident = incidentOf(ctx, trunk);
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
      const trunk = optionsTrunk(ctx);
      ctx.sims.genesys.control.setTrunkState(trunk.trunkId, { state: 'dropped', sipCode: 408 });
      ctx.narrate.info(
        'Bandwidth BYOC Cloud - US East 1a: SIP OPTIONS time out (408); such a trunk is `connected` while OPTIONS are answered, `dropped` now',
      );
      const incident = await waitFor(ctx, 60_000, () => incidentOf(ctx, trunk));
      if (incident) narrateIncident(ctx, trunk.org, incident);
      ctx.sims.genesys.control.setTrunkState(trunk.trunkId, { state: 'registered' });
      ctx.narrate.info('OPTIONS are answered again: the trunk is `connected`; its incident is resolved after INCIDENT_RESOLVE_AFTER_MS');
      const resolved = await waitFor(ctx, 90_000, () => (incidentOf(ctx, trunk)?.fields.state === '6' ? true : undefined));
      if (resolved) ctx.narrate.info('…resolved');
    },
  },
  {
    atMs: 110_000,
    title: 'ServiceNow goes down (connections refused for 60 s) and, meanwhile, another trunk drops',
    run: async (ctx) => {
      const trunk = droppedTrunk(ctx);
      await trunk.org.servicenow.control.outage({ mode: 'refused', durationMs: 60_000 });
      ctx.sims.genesys.control.setTrunkState(trunk.trunkId, { state: 'dropped' });
      for (const other of ctx.orgs.filter((o) => o.instance !== trunk.org.instance))
        ctx.narrate.info(
          `only ServiceNow instance ${trunk.org.instance} is down: org ${other.name}'s instance ${other.instance} still answers`,
        );
      ctx.narrate.info(
        'Twilio Elastic SIP - NYC: no answer to REGISTER; the incident waits in the outbox (see pendingDeliveries on GET /v1/incidents) and the helpdesk webhook is told after ALERT_AFTER_MS',
      );
      await sleep(30_000, ctx.signal);
      ctx.sims.genesys.control.setTrunkState(trunk.trunkId, { state: 'registered' });
      ctx.narrate.info('Twilio Elastic SIP - NYC registers again while ServiceNow is still down');
      const delivered = await waitFor(ctx, 120_000, () => incidentOf(ctx, trunk));
      if (!delivered) return;
      ctx.narrate.info(`ServiceNow is back: the queued incident was delivered as ${delivered.number}`);
      const resolved = await waitFor(ctx, 90_000, () => (incidentOf(ctx, trunk)?.fields.state === '6' ? true : undefined));
      if (resolved) ctx.narrate.info(`…and resolved in turn, since the trunk had already recovered`);
      await narrateTrunks(ctx);
      ctx.narrate.info(
        "the story is over; trunkgate keeps running (Ctrl-C to stop). Inject your own faults through the simulators' /__sim endpoints.",
      );
    },
  },
];
