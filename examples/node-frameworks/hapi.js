// hapi 21 with @faultline/node preloaded, nothing in the app: what hapi answers with a 500 is reported,
// with the route template (/orders/{id}); a Boom 404 is not.
//   node --require @faultline/node/register examples/node-frameworks/hapi.js
const Hapi = require('@hapi/hapi');

const server = Hapi.server({ port: Number(process.env.PORT || 0), host: '127.0.0.1' });
server.route({
  method: 'GET',
  path: '/orders/{id}',
  handler: async (request) => {
    const prices = new Map();
    return prices.get(request.params.id).amount; // TypeError: reported, 500
  },
});
server.start().then(() => console.log(`listening ${server.info.port}`));
