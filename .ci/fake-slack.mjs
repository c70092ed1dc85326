// A stand-in for the Slack Web API for the start check: every POST /api/<method> answers ok, auth.test
// with a bot identity (Bolt calls it at start). Prints its port on stdout, then serves until killed.
import { createServer } from 'node:http';

const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    const method = /^\/api\/([\w.]+)/.exec(req.url ?? '')?.[1];
    res.setHeader('content-type', 'application/json');
    if (req.method !== 'POST' || !method) return void res.writeHead(404).end(JSON.stringify({ ok: false, error: 'unknown_method' }));
    const identity = method === 'auth.test' ? { user_id: 'UBOT0001', bot_id: 'BBOT0001', team_id: 'T00000001', user: 'duebot' } : {};
    res.end(JSON.stringify({ ok: true, ...identity }));
  });
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
