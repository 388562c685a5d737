// A Koa app (2 or 3, from KOA_MODULE) with @koa/router and routes that fail in the ways apps do; run with
// or without the preload. KOA_SILENT=1 sets app.silent (Koa then logs nothing); KOA_OWN_LISTENER=1 adds
// the app's own `error` listener (Koa's default logger is then not installed).
require('./should-report.cjs'); // FAULTLINE_SHOULD_REPORT: init({ shouldReport })
const Koa = require(process.env.KOA_MODULE);
const Router = require(process.env.KOA_ROUTER_MODULE);

const app = new Koa();
if (process.env.KOA_SILENT === '1') app.silent = true;
if (process.env.KOA_OWN_LISTENER === '1')
  app.on('error', (err, ctx) => console.log(`own listener: ${err.message} ${ctx?.path}`));
const router = new Router();
const orders = new Router({ prefix: '/orders' });
orders.get('/:id', (ctx) => {
  throw new TypeError(`order ${ctx.params.id} has no total`);
});
router.get('/throw', () => {
  throw new Error('sync route failed');
});
router.get('/reject', async () => {
  await new Promise((r) => setTimeout(r, 5));
  throw new RangeError('async route failed');
});
router.get('/not-found', () => {
  throw Object.assign(new Error('no such thing'), { status: 404 });
});
router.get('/exposed', (ctx) => ctx.throw(422, 'bad input'));
router.get('/unavailable', () => {
  throw Object.assign(new Error('down for maintenance'), { status: 503 });
});
router.get('/answered', (ctx) => {
  ctx.status = 404;
  ctx.body = 'nothing here';
});
// The route answers its own error: nothing reaches Koa's error handling.
router.get('/caught', async (ctx) => {
  try {
    throw new Error('caught by the route');
  } catch (err) {
    ctx.status = 500;
    ctx.body = `caught: ${err.message}`;
  }
});
app.use(orders.routes()).use(router.routes());
const server = app.listen(0, '127.0.0.1', () => console.log(`listening ${server.address().port}`));
