// A plain node:http service whose requests fail after they started: a rejection while the request is in
// flight, one after it was answered, and an uncaught error that ends the process mid-request. Run with or
// without the preload, under --unhandled-rejections=warn (the rejections do not end it).
const { createServer } = require('node:http');

const server = createServer((req, res) => {
  const path = req.url.split('?')[0];
  if (path === '/reject') {
    (async () => {
      await new Promise((r) => setTimeout(r, 5));
      throw new RangeError('rejected while in flight');
    })();
    setTimeout(() => res.end('answered after the rejection\n'), 30);
  } else if (path === '/answered') {
    res.end('answered\n');
    setTimeout(() => Promise.reject(new TypeError('rejected after the answer')), 30);
  } else if (path === '/crash') {
    setTimeout(() => {
      throw new Error('crashed mid-request');
    }, 5);
  } else res.writeHead(404).end();
});
// Outside any request: before the first one.
setTimeout(() => Promise.reject(new SyntaxError('rejected outside any request')), 1);
server.listen(0, '127.0.0.1', () => setTimeout(() => console.log(`listening ${server.address().port}`), 20));
