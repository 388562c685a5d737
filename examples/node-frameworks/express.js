// Express 5 with @faultline/node preloaded: what a route throws or rejects is reported with the request
// (method, route template, path, status, user agent); a 404 the app answers, or a validation error its own
// middleware turns into a 400, is not.
//   node --require @faultline/node/register examples/node-frameworks/express.js
const express = require('express');
const { expressErrorHandler } = require('@faultline/node');

const app = express();
app.get('/orders/:id', (req) => {
  const order = { id: req.params.id, lines: undefined };
  return order.lines.length; // TypeError: reported, 500
});
app.get('/orders/:id/invoice', async (req) => {
  await new Promise((r) => setTimeout(r, 5));
  throw new Error(`invoice service timed out for order ${req.params.id}`); // reported, 500
});
app.get('/coupons/:code', (req) => {
  throw Object.assign(new Error(`no coupon ${req.params.code}`), { status: 404 }); // the app's 404: not reported
});
// The one line: reports what will be answered with a 5xx (shouldReport to choose otherwise). Without it,
// the preload still reports what reaches Express's final handler.
app.use(expressErrorHandler());
// The app's own error middleware, after it, answers as it always did.
app.use((err, _req, res, _next) => res.status(err.status ?? 500).json({ error: err.message }));

const server = app.listen(Number(process.env.PORT || 0), '127.0.0.1', () =>
  console.log(`listening ${server.address().port}`),
);
