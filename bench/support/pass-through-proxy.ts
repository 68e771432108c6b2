// Benchmark baseline: the least a gateway can do for get-incident — read the JSON body, make the same
// ServiceNow call (same query, Basic auth, keep-alive) and pass the answer back. No validation, no
// pacing, no retries, no logs, no metrics.
import http from 'node:http';

const upstream = new URL(process.env.SERVICENOW_INSTANCE_URL!);
const auth = `Basic ${Buffer.from(`${process.env.SERVICENOW_USERNAME}:${process.env.SERVICENOW_PASSWORD}`).toString('base64')}`;
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const { number } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { number: string };
    const query = new URLSearchParams({
      sysparm_query: `number=${number}`,
      sysparm_limit: '1',
      sysparm_fields: 'sys_id,number,state,short_description,assignment_group',
      sysparm_exclude_reference_link: 'true',
    });
    const up = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        path: `/api/now/table/incident?${query}`,
        method: 'GET',
        agent,
        headers: { Authorization: auth, Accept: 'application/json' },
      },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, { 'Content-Type': 'application/json' });
        upRes.pipe(res);
      },
    );
    up.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    up.end();
  });
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  process.send!({ url: `http://127.0.0.1:${port}` });
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
