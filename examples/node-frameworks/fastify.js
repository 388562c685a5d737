// Fastify 5 with @faultline/node preloaded, nothing in the app: the preload listens on Fastify's diagnostics
// channel and reports what a route throws with a 5xx, with the route template.
//   node --require @faultline/node/register examples/node-frameworks/fastify.js
const fastify = require('fastify')();

fastify.get('/orders/:id', async (request) => {
  const order = JSON.parse('{"id": "' + request.params.id + '"}');
  return order.lines.map((l) => l.total); // TypeError: reported, 500
});
fastify.get('/coupons/:code', async (request, reply) => reply.code(404).send({ error: 'no such coupon' }));

fastify.listen({ port: Number(process.env.PORT || 0), host: '127.0.0.1' }).then(() => {
  console.log(`listening ${fastify.server.address().port}`);
});
