// A hapi 21 app with routes that fail in the ways apps do; run with or without the preload.
require('./should-report.cjs'); // FAULTLINE_SHOULD_REPORT: init({ shouldReport })
const Hapi = require(process.env.HAPI_MODULE);
const Boom = require(require.resolve('@hapi/boom', { paths: [process.env.HAPI_MODULE] }));

const server = Hapi.server({ port: 0, host: '127.0.0.1' });
server.route([
  {
    method: 'GET',
    path: '/orders/{id}',
    handler: (request) => {
      throw new TypeError(`order ${request.params.id} has no total`);
    },
  },
  {
    method: 'GET',
    path: '/throw',
    handler: () => {
      throw new Error('sync route failed');
    },
  },
  {
    method: 'GET',
    path: '/reject',
    handler: async () => {
      await new Promise((r) => setTimeout(r, 5));
      throw new RangeError('async route failed');
    },
  },
  { method: 'GET', path: '/not-found', handler: () => Boom.notFound('no such thing') },
  // hapi logs a 500 as an error, not this: faultline's default reports it neither.
  { method: 'GET', path: '/unavailable', handler: () => Boom.serverUnavailable('down for maintenance') },
  { method: 'GET', path: '/answered', handler: (_request, h) => h.response('nothing here').code(404) },
]);
server.start().then(() => console.log(`listening ${server.info.port}`));
