// A NestJS 11 app on its Express adapter (NEST_ADAPTER=fastify: its Fastify one), in plain JavaScript
// (decorators applied by hand), with routes that fail in the ways apps do; run with or without the preload.
require('./should-report.cjs'); // FAULTLINE_SHOULD_REPORT: init({ shouldReport })
require('reflect-metadata');
const { NestFactory } = require('@nestjs/core');
const {
  Controller,
  Get,
  Module,
  NotFoundException,
  Param,
  Post,
  ServiceUnavailableException,
} = require('@nestjs/common');

class OrdersController {
  find(id) {
    throw new TypeError(`order ${id} has no total`);
  }
  /** Never runs for a body Fastify cannot parse (XML): Fastify answers 415, which Nest's filter answers again. */
  create() {
    return 'created';
  }
}
class StatusController {
  async reject() {
    await new Promise((r) => setTimeout(r, 5));
    throw new RangeError('async route failed');
  }
  missing() {
    throw new NotFoundException('no such thing');
  }
  unavailable() {
    throw new ServiceUnavailableException('down for maintenance');
  }
  /** Never runs: the adapter's hook fails first (below). A route of Nest's, so that Fastify's error
   * handling (its onError hooks) runs for it as for every route of the app. */
  hookFailed() {
    return 'unreachable';
  }
}
/** `@Get(path)` on a method, as TypeScript would apply it. */
function get(cls, method, path) {
  Get(path)(cls.prototype, method, Object.getOwnPropertyDescriptor(cls.prototype, method));
}
Controller('orders')(OrdersController);
Param('id')(OrdersController.prototype, 'find', 0);
get(OrdersController, 'find', ':id');
Post()(OrdersController.prototype, 'create', Object.getOwnPropertyDescriptor(OrdersController.prototype, 'create'));
Controller()(StatusController);
get(StatusController, 'reject', 'reject');
get(StatusController, 'missing', 'not-found');
get(StatusController, 'unavailable', 'unavailable');
get(StatusController, 'hookFailed', 'hook-failed');
class AppModule {}
Module({ controllers: [OrdersController, StatusController] })(AppModule);

const adapter =
  process.env.NEST_ADAPTER === 'fastify' ? new (require('@nestjs/platform-fastify').FastifyAdapter)() : undefined;
const created = adapter
  ? NestFactory.create(AppModule, adapter, { logger: ['error'] })
  : NestFactory.create(AppModule, { logger: ['error'] });
created.then(async (app) => {
  // What the adapter's own layer throws, outside Nest's routes, still reaches Nest's filter (on Fastify, after
  // Fastify's onError hook: one report).
  const failing = (url) => (url === '/hook-failed' ? new Error('hook failed') : undefined);
  if (adapter)
    adapter.getInstance().addHook('onRequest', async (request) => {
      const error = failing(request.url);
      if (error) throw error;
    });
  else app.use((req, res, next) => next(failing(req.url)));
  await app.listen(0, '127.0.0.1');
  console.log(`listening ${app.getHttpServer().address().port}`);
});
