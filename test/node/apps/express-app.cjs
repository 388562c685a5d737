// An Express app (4 or 5, from EXPRESS_MODULE) with routes that fail in the ways apps do. With
// FAULTLINE_HANDLER=1 it adds faultline's error handler, with FAULTLINE_HANDLER=quiet one whose shouldReport
// says no to everything (own-throws: one that throws); without, it is the same app for comparison.
require('./should-report.cjs'); // FAULTLINE_SHOULD_REPORT: init({ shouldReport })
const express = require(process.env.EXPRESS_MODULE);
const major = Number(require(`${process.env.EXPRESS_MODULE}/package.json`).version.split('.')[0]);

const app = express();
const orders = express.Router();
orders.get('/:id', (req) => {
  throw new TypeError(`order ${req.params.id} has no total`);
});
app.use('/orders', orders);
app.get('/throw', () => {
  throw new Error('sync route failed');
});
// Express 5 takes a rejected promise from a route; Express 4 needs it handed to next().
const failing = async () => {
  await new Promise((r) => setTimeout(r, 5));
  throw new RangeError('async route failed');
};
app.get('/reject', major >= 5 ? failing : (req, res, next) => failing().catch(next));
app.get('/not-found', (req, res, next) => next(Object.assign(new Error('no such thing'), { status: 404 })));
app.get('/answered', (req, res) => res.status(404).send('nothing here'));
// The handler's own shouldReport: `quiet` says no to everything, `own-throws` throws (the default holds).
const HANDLER_OPTIONS = {
  1: {},
  quiet: { shouldReport: () => false },
  'own-throws': {
    shouldReport: () => {
      throw new Error('handler predicate bug');
    },
  },
};
if (HANDLER_OPTIONS[process.env.FAULTLINE_HANDLER]) {
  const { expressErrorHandler } = require(process.env.FAULTLINE_NODE_PACKAGE);
  app.use(expressErrorHandler(HANDLER_OPTIONS[process.env.FAULTLINE_HANDLER]));
}
// The app's own error handler after faultline's: it still sees every error.
app.use((err, req, res, next) => {
  if (req.path === '/reject') return res.status(503).send(`own handler: ${err.message}`);
  next(err);
});
const server = app.listen(0, '127.0.0.1', () => console.log(`listening ${server.address().port}`));
