import { DEMO_API_KEY, DEMO_CALLER, type Sandbox } from './sandbox-setup.js';

/** What `npm run sandbox` prints once listening: where it runs, the demo callers, the simulators and, with two orgs, how to address each. */
export function sandboxBanner(sandbox: Sandbox, baseUrl: string): string {
  const { sims, orgs } = sandbox;
  const caller = `${DEMO_CALLER.user}:${DEMO_CALLER.password}`;
  const lines = [
    '',
    `  trunkgate sandbox on ${baseUrl}   (Ctrl-C to stop)`,
    `    console:    open ${baseUrl}/ in a browser and log in as ${DEMO_CALLER.user} / ${DEMO_CALLER.password}: the story plays on the board`,
    `    callers:    Basic ${DEMO_CALLER.user} / ${DEMO_CALLER.password}   or   X-API-Key: ${DEMO_API_KEY}`,
    `    try:        curl -s -u ${caller} ${baseUrl}/v1/credentials`,
  ];
  if (sandbox.connectionsFile === null) {
    lines.push(
      `    Genesys Cloud simulator: ${sims.genesys.url}   (faults: ${sims.genesys.url}/__sim/genesys/settings)`,
      `    ServiceNow simulator:    ${sims.servicenow.url}   (incidents: ${sims.servicenow.url}/__sim/servicenow/incidents)`,
    );
  } else {
    const [first, second] = [orgs[0]!, orgs.at(-1)!];
    lines.push(
      `    ${orgs.length} Genesys Cloud orgs and ${orgs.length} ServiceNow instances (SANDBOX_ORGS=${orgs.length}), from ${sandbox.connectionsFile}:`,
      ...orgs.map(
        (o) =>
          `      org ${o.name.padEnd(8)} → ServiceNow instance ${o.instance.padEnd(10)} ${o.servicenow.url}   (incidents: ${o.servicenow.url}/__sim/servicenow/incidents)`,
      ),
      `    Genesys Cloud simulator: ${sims.genesys.url}, both orgs   (one org's faults: ${sims.genesys.url}/__sim/genesys/settings?org=${second.name})`,
      `    per org:    curl -s -u ${caller} '${baseUrl}/v1/trunks?org=${second.name}'   (?org= also on /v1/incidents and /v1/audit)`,
      `                curl -s -u ${caller} -H 'Content-Type: application/json' -d '{"trunkId":"${second.trunkIds.lumenPrimary}"}' ${baseUrl}/v1/orgs/${second.name}/actions/get-trunk`,
      `                POST ${baseUrl}/v1/actions/<name> runs against the default org, ${first.name}`,
    );
  }
  return [...lines, ''].join('\n');
}
