// One route per framework (FRAMEWORK: express, koa, fastify, hapi), under a prefix (Express: a router mounted
// at /api/orders, whose `req.url` lacks the prefix), whose handler leaves a rejection unhandled while the
// request is in flight, then answers. Run under --unhandled-rejections=warn (the rejection does not end it).
// Fastify's has more routes, of the shapes its router knows: two parameters, a wildcard, two parameters in one
// segment, a parameter with a regular expression, capitals, a literal colon, one renamed by an onRoute hook.
const framework = process.env.FRAMEWORK;
const frameworkModule = process.env.FRAMEWORK_MODULE;
const listening = (port) => console.log(`listening ${port}`);
/** HTTP2=1: the app over HTTP/2 without TLS (Koa: Node's http2 server; Fastify: its `http2` option). */
const http2 = process.env.HTTP2 === '1';
/** TLS_KEY and TLS_CERT (files): Koa over Node's https server. */
const tls = process.env.TLS_KEY && {
  key: require('node:fs').readFileSync(process.env.TLS_KEY),
  cert: require('node:fs').readFileSync(process.env.TLS_CERT),
};

/** Rejects with nothing to catch it, 5 ms into the request; the answer comes 25 ms later. */
async function rejectInFlight(label = framework) {
  (async () => {
    await new Promise((r) => setTimeout(r, 5));
    throw new RangeError(`rejected in flight (${label})`);
  })();
  await new Promise((r) => setTimeout(r, 30));
  return 'answered after the rejection\n';
}

if (framework === 'express') {
  const express = require(frameworkModule);
  const app = express();
  const orders = express.Router();
  orders.get('/:id', (_req, res) => rejectInFlight().then((body) => res.send(body)));
  app.use('/api/orders', orders);
  const server = app.listen(0, '127.0.0.1', () => listening(server.address().port));
} else if (framework === 'koa') {
  const Koa = require(frameworkModule);
  const Router = require(process.env.KOA_ROUTER_MODULE);
  const app = new Koa();
  const orders = new Router({ prefix: '/api/orders' });
  orders.get('/:id', async (ctx) => {
    ctx.body = await rejectInFlight();
  });
  app.use(orders.routes());
  const server = http2
    ? require('node:http2').createServer(app.callback())
    : tls
      ? require('node:https').createServer(tls, app.callback())
      : require('node:http').createServer(app.callback());
  server.listen(0, '127.0.0.1', () => listening(server.address().port));
} else if (framework === 'fastify') {
  // A router that ignores case and repeated slashes, and an onRoute of the app's that renames a route.
  const routerOptions = { caseSensitive: false, ignoreDuplicateSlashes: true };
  const fastify = require(frameworkModule)({ logger: false, routerOptions, http2 });
  const handler = (request) => rejectInFlight(request.url === '/api/orders/42' ? framework : request.url);
  fastify.addHook('onRoute', (route) => {
    if (route.url.endsWith('/legacy')) route.url = route.url.replace(/legacy$/, 'v2/:id');
  });
  fastify.register(
    async (orders) => {
      orders.get('/:id', handler);
      orders.get('/:id/lines/:line', handler);
      orders.get('/files/*', handler);
      orders.get('/near/:lat-:lng', handler);
      orders.get('/numbered/:n(^\\d+)', handler);
      orders.get('/Upper/:id', handler);
      orders.get('/verb::cancel', handler);
      orders.get('/legacy', handler);
    },
    { prefix: '/api/orders' },
  );
  fastify.listen({ port: 0, host: '127.0.0.1' }).then(() => listening(fastify.server.address().port));
} else if (framework === 'hapi') {
  const server = require(frameworkModule).server({ port: 0, host: '127.0.0.1' });
  server.route({ method: 'GET', path: '/api/orders/{id}', handler: rejectInFlight });
  server.start().then(() => listening(server.info.port));
}
