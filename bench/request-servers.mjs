// The servers the request benchmarks load (the route of node.bench.mjs part 4: a parameter, an await, a JSON
// answer), with a way out that lets a profiler or callgrind write what it counted, the wait for their port,
// and the order of a round's variants.

/** Each framework's app, as a CommonJS file's text: GET /orders/:id, and GET /exit ends the process. */
export const exitingApps = {
  express: `const express = require('express');
const app = express();
app.get('/orders/:id', async (req, res) => {
  await null;
  res.json({ id: req.params.id, total: 42 });
});
app.get('/exit', () => process.exit(0));
const server = app.listen(0, '127.0.0.1', () => console.log('listening ' + server.address().port));
`,
  fastify: `const fastify = require('fastify')();
fastify.get('/orders/:id', async (request) => {
  await null;
  return { id: request.params.id, total: 42 };
});
fastify.get('/exit', async () => process.exit(0));
fastify.listen({ port: 0, host: '127.0.0.1' }).then(() => console.log('listening ' + fastify.server.address().port));
`,
};

/** The port a spawned server prints (`listening <port>`); rejects if it exits first. */
export function listeningPort(child, what) {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /listening (\d+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`${what} exited (${code})`)));
  });
}

/** The list started at another place each round: no variant always runs first, just after another's. */
export const rotated = (xs, by) => [...xs.slice(by % xs.length), ...xs.slice(0, by % xs.length)];
