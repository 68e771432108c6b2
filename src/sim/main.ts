// `npm run sim`: both simulators on fixed ports, for pointing your own tools at them.
import { closeOnSignals } from '../app/lifecycle.js';
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET } from './genesys/index.js';
import { DEMO_OAUTH_CLIENT, DEMO_USER } from './servicenow/index.js';
import { startSimulators } from './start-simulators.js';

const host = process.env.SIM_HOST ?? '127.0.0.1';
const sims = await startSimulators({
  genesys: { port: Number(process.env.SIM_GENESYS_PORT ?? 9101), host, generatedTrunks: Number(process.env.SIM_GENESYS_TRUNKS ?? 0) },
  servicenow: { port: Number(process.env.SIM_SERVICENOW_PORT ?? 9102), host },
});
closeOnSignals(sims, (message) => process.stdout.write(`${message}\n`));
process.stdout.write(
  [
    'trunkgate simulators running (Ctrl-C to stop)',
    `  Genesys Cloud  ${sims.genesys.url}  (login and API)   client ${DEMO_CLIENT_ID} / ${DEMO_CLIENT_SECRET}`,
    `                 faults: ${sims.genesys.url}/__sim/genesys/…   notifications: ws on the same port (SIM_GENESYS_TRUNKS=n adds n trunks)`,
    `  ServiceNow     ${sims.servicenow.url}   user ${DEMO_USER.username} / ${DEMO_USER.password}, OAuth client ${DEMO_OAUTH_CLIENT.clientId} / ${DEMO_OAUTH_CLIENT.clientSecret}`,
    `                 faults: ${sims.servicenow.url}/__sim/servicenow/…`,
    '',
  ].join('\n'),
);
