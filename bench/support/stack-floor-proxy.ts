// Benchmark context, not a target: express + trunkgate's axios instance doing the same ServiceNow call
// with nothing else (no auth, validation, mapping, logs, metrics). It prices the HTTP stack trunkgate
// is built on, so the report can say how much of the gap to the bare proxy is the stack and how much
// is trunkgate's own work.
import express from 'express';
import { createHttpClient } from '../../src/net/http-client.js';

const http = createHttpClient({ baseURL: process.env.SERVICENOW_INSTANCE_URL!, timeoutMs: 10_000 });
const auth = `Basic ${Buffer.from(`${process.env.SERVICENOW_USERNAME}:${process.env.SERVICENOW_PASSWORD}`).toString('base64')}`;
const app = express();
app.use(express.json());
app.post('/v1/actions/get-incident', async (req, res) => {
  const params = new URLSearchParams({
    sysparm_query: `number=${(req.body as { number: string }).number}`,
    sysparm_limit: '1',
    sysparm_fields: 'sys_id,number,state,short_description,assignment_group',
    sysparm_exclude_reference_link: 'true',
  });
  const upstream = await http.get('/api/now/table/incident', { params, headers: { Authorization: auth } });
  res.json((upstream.data as { result: unknown[] }).result[0]);
});
const server = app.listen(0, '127.0.0.1', () => process.send!({ url: `http://127.0.0.1:${(server.address() as { port: number }).port}` }));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
