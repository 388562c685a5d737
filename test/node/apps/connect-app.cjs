// A Connect 3 app with faultline's error handler (FAULTLINE_HANDLER=1; Connect has no final handler the preload
// finds) and routes that fail in the ways apps do; without it, the same app for comparison.
require('./should-report.cjs'); // FAULTLINE_SHOULD_REPORT: init({ shouldReport })
const connect = require(process.env.CONNECT_MODULE);
const http = require('node:http');

const app = connect();
app.use('/throw', () => {
  throw new Error('sync route failed');
});
app.use('/reject', (_req, _res, next) =>
  new Promise((r) => setTimeout(r, 5)).then(() => next(new RangeError('async route failed'))),
);
app.use('/not-found', (_req, _res, next) => next(Object.assign(new Error('no such thing'), { status: 404 })));
app.use('/answered', (_req, res) => {
  res.statusCode = 404;
  res.end('nothing here');
});
if (process.env.FAULTLINE_HANDLER === '1') app.use(require(process.env.FAULTLINE_NODE_PACKAGE).expressErrorHandler());
// The app's own error handler after faultline's: it still sees every error.
app.use((err, req, res, next) => {
  if (req.originalUrl === '/reject') {
    res.statusCode = 503;
    return res.end(`own handler: ${err.message}`);
  }
  next(err);
});
const server = http.createServer(app).listen(0, '127.0.0.1', () => console.log(`listening ${server.address().port}`));
