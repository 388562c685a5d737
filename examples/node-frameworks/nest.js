// NestJS 11 on its Express adapter (the Fastify adapter works the same) with @faultline/node preloaded,
// nothing in the app: what Nest's exception filter answers with a 5xx is reported, with Nest's route; an
// HttpException it answers with a 4xx (NotFoundException) is not. Plain JavaScript, the decorators applied
// as TypeScript would apply them. NestJS 12 is ES modules only: see packages/node/README.md for the filter
// that reports there.
//   node --require @faultline/node/register examples/node-frameworks/nest.js
require('reflect-metadata');
const { NestFactory } = require('@nestjs/core');
const { Controller, Get, Module, NotFoundException, Param } = require('@nestjs/common');

class OrdersController {
  find(id) {
    if (id === 'missing') throw new NotFoundException(`no order ${id}`); // not reported
    throw new TypeError(`order ${id} has no total`); // reported, 500
  }
}
Controller('orders')(OrdersController);
Param('id')(OrdersController.prototype, 'find', 0);
Get(':id')(OrdersController.prototype, 'find', Object.getOwnPropertyDescriptor(OrdersController.prototype, 'find'));
class AppModule {}
Module({ controllers: [OrdersController] })(AppModule);

NestFactory.create(AppModule, { logger: ['error'] }).then(async (app) => {
  await app.listen(Number(process.env.PORT || 0), '127.0.0.1');
  console.log(`listening ${app.getHttpServer().address().port}`);
});
