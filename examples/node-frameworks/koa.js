// Koa with @faultline/node preloaded, nothing in the app: what reaches Koa's error handling with a 5xx is
// reported (Koa still logs it, or stays silent with app.silent, as before).
//   node --require @faultline/node/register examples/node-frameworks/koa.js
const Koa = require('koa');

const app = new Koa();
app.use(async (ctx) => {
  if (ctx.path.startsWith('/orders/')) {
    const cart = undefined;
    ctx.body = cart.total; // TypeError: reported, 500
  } else ctx.throw(404, 'no such page'); // not reported
});
const server = app.listen(Number(process.env.PORT || 0), '127.0.0.1', () =>
  console.log(`listening ${server.address().port}`),
);
