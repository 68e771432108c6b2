// `npm run sim`: both simulators on fixed ports, for pointing your own tools at them.
import { closeOnSignals } from '../app/lifecycle.js';
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, orgClient } from './genesys/index.js';
import { DEMO_OAUTH_CLIENT, DEMO_USER } from './servicenow/index.js';
import { startSimulators } from './start-simulators.js';

const host = process.env.SIM_HOST ?? '127.0.0.1';
const trunks = Number(process.env.SIM_GENESYS_TRUNKS ?? 0);
// SIM_GENESYS_ORGS=acme,globex: several orgs in the one Genesys simulator; SIM_SERVICENOW_INSTANCES=sn-eu,sn-us: one ServiceNow simulator each.
const list = (value: string | undefined) =>
  value
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
const orgs = list(process.env.SIM_GENESYS_ORGS);
const instances = list(process.env.SIM_SERVICENOW_INSTANCES);
const sims = await startSimulators({
  genesys: { port: Number(process.env.SIM_GENESYS_PORT ?? 9101), host, ...(orgs ? {} : { generatedTrunks: trunks }) },
  servicenow: { port: Number(process.env.SIM_SERVICENOW_PORT ?? 9102), host },
  ...(orgs ? { orgs: orgs.map((name) => ({ name, generatedTrunks: trunks })) } : {}),
  ...(instances ? { instances } : {}),
});
closeOnSignals(sims, (message) => process.stdout.write(`${message}\n`));
const clients = orgs
  ? orgs.map((name) => `                 org ${name}: client ${orgClient(name).clientId} / ${orgClient(name).clientSecret}`)
  : [`                 client ${DEMO_CLIENT_ID} / ${DEMO_CLIENT_SECRET}`];
process.stdout.write(
  [
    'trunkgate simulators running (Ctrl-C to stop)',
    `  Genesys Cloud  ${sims.genesys.url}  (login and API for every org)`,
    ...clients,
    `                 faults: ${sims.genesys.url}/__sim/genesys/…[?org=<name>]   notifications: ws on the same port (SIM_GENESYS_TRUNKS=n adds n trunks to each org)`,
    ...[...sims.servicenowInstances].map(
      ([name, sn]) => `  ServiceNow     ${sn.url}   instance ${name}   faults: ${sn.url}/__sim/servicenow/…`,
    ),
    `                 user ${DEMO_USER.username} / ${DEMO_USER.password}, OAuth client ${DEMO_OAUTH_CLIENT.clientId} / ${DEMO_OAUTH_CLIENT.clientSecret}`,
    '',
  ].join('\n'),
);
