// A Fastify 5 app with routes that fail in the ways apps do; run with or without the preload.
require('./should-report.cjs'); // FAULTLINE_SHOULD_REPORT: init({ shouldReport })
const fastify = require(process.env.FASTIFY_MODULE)({ logger: false });

fastify.get('/orders/:id', async (request) => {
  throw new TypeError(`order ${request.params.id} has no total`);
});
fastify.get('/throw', () => {
  throw new Error('sync route failed');
});
fastify.get('/reject', async () => {
  await new Promise((r) => setTimeout(r, 5));
  throw new RangeError('async route failed');
});
fastify.get('/not-found', async () => {
  throw Object.assign(new Error('no such thing'), { statusCode: 404 });
});
fastify.get('/answered', async (request, reply) => reply.code(404).send('nothing here'));
fastify.get('/validated', { schema: { querystring: { type: 'object', required: ['q'] } } }, async () => 'ok');
// An app's own error handler answers with a status of its choosing: the one sent is the one that counts.
fastify.register(async (scope) => {
  scope.setErrorHandler((error, request, reply) => reply.code(error.answer).send({ mapped: true }));
  scope.get('/mapped/invalid', async () => {
    throw Object.assign(new Error('answered 422 by the app'), { answer: 422 });
  });
  scope.get('/mapped/unavailable', async () => {
    throw Object.assign(new Error('answered 503 by the app'), { statusCode: 404, answer: 503 });
  });
});
// What the app shows of itself: its plugin tree (timings left out) and its routes, the same under the preload.
fastify.get('/plugins', async () => `${fastify.printPlugins().replace(/ \d+ ms/g, '')}${fastify.printRoutes()}`);
fastify.listen({ port: 0, host: '127.0.0.1' }).then(() => console.log(`listening ${fastify.server.address().port}`));
