// Koa with @faultline/node preloaded: what reaches Koa's error handling with a 5xx is reported (Koa still logs
// it, or stays silent with app.silent, as before); shouldReport adds the 429s the app answers.
//   node --require @faultline/node/register examples/node-frameworks/koa.js
const Koa = require('koa');
const { init } = require('@faultline/node');

// A 429 is the app working, but a storm of them is worth seeing; a 404 still is not.
init({ shouldReport: (_error, _req, _res, { status }) => status >= 500 || status === 429 });

const app = new Koa();
app.use(async (ctx) => {
  if (ctx.path.startsWith('/orders/')) {
    const cart = undefined;
    ctx.body = cart.total; // TypeError: reported, 500
  } else if (ctx.path === '/search')
    ctx.throw(429, 'too many searches'); // reported: shouldReport asks
  else ctx.throw(404, 'no such page'); // not reported
});
const server = app.listen(Number(process.env.PORT || 0), '127.0.0.1', () =>
  console.log(`listening ${server.address().port}`),
);
