// A small HTTP service: handled errors are reported with captureException and the request keeps going;
// GET /crash throws from a timer and takes the process down, as an uncaught exception does.
// Run with the agent: node --require @faultline/node/register examples/node-service/server.js
const http = require('node:http');
const { captureException, setTag, setUser } = require('@faultline/node');

setTag('service.role', 'orders-api');

const server = http.createServer((req, res) => {
  if (req.url === '/orders/unknown') {
    setUser({ id: 'u-7', email: 'ann@example.com' });
    try {
      JSON.parse('{"order": '); // a malformed upstream payload
    } catch (err) {
      captureException(err, { attributes: { 'http.route': '/orders/:id' } });
      res.writeHead(502).end('bad upstream');
      return;
    }
  }
  if (req.url === '/crash') {
    res.writeHead(500).end('crashing');
    setTimeout(() => {
      throw new RangeError('order total out of range: -12.5');
    }, 5);
    return;
  }
  res.end('ok');
});

server.listen(Number(process.env.PORT || 0), '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});
