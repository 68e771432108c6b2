import type { StoryContext, StoryStep } from './story.js';

/** POSTs to a Data Action as a Genesys flow or a ServiceNow REST step would; `org`: that org's (`/v1/orgs/{org}/actions/…`). */
async function runAction(
  ctx: StoryContext,
  name: string,
  input: unknown,
  org?: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${ctx.baseUrl}/v1/${org ? `orgs/${org}/` : ''}actions/${name}`, {
    method: 'POST',
    headers: { Authorization: ctx.authorization, 'Content-Type': 'application/json' },
    body: JSON.stringify(input),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** The Data Action gateway in the sandbox: the calls a Genesys flow would make, logged with their answers. */
export const actionSteps: StoryStep[] = [
  {
    atMs: 8_000,
    title: 'a Genesys flow asks trunkgate for a trunk (POST /v1/actions/get-trunk)',
    run: async (ctx) => {
      const res = await runAction(ctx, 'get-trunk', { trunkId: ctx.orgs[0]!.trunkIds.lumenPrimary });
      ctx.narrate.info(`get-trunk answered ${res.status}`, res.body);
      // With two orgs: the same action against the other org's Genesys Cloud.
      for (const org of ctx.orgs.slice(1)) {
        const other = await runAction(ctx, 'get-trunk', { trunkId: org.trunkIds.lumenPrimary }, org.name);
        ctx.narrate.info(`POST /v1/orgs/${org.name}/actions/get-trunk answered ${other.status} (org ${org.name})`, other.body);
      }
    },
  },
  {
    atMs: 10_000,
    title: 'the flow opens a ticket twice with the same correlation_id (a retry): one incident',
    run: async (ctx) => {
      const input = { short_description: 'Customer reports one-way audio', urgency: 2, correlation_id: 'sandbox:flow:case-1' };
      const first = await runAction(ctx, 'create-incident', input);
      const again = await runAction(ctx, 'create-incident', input);
      ctx.narrate.info(`create-incident answered ${first.status} then ${again.status}`, { first: first.body, again: again.body });
      const noted = await runAction(ctx, 'add-work-note', {
        number: first.body.number,
        work_notes: 'Caller confirmed the issue on a second call',
      });
      ctx.narrate.info(`add-work-note answered ${noted.status}`, noted.body);
      const invalid = await runAction(ctx, 'update-incident', { number: first.body.number, state: 'fixed' });
      ctx.narrate.info(`a bad state is refused before ServiceNow sees it: ${invalid.status}`, invalid.body);
    },
  },
];
