// Crashes on a refused connection, as an app whose database is down does.
setTimeout(() => {
  throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED', errno: -111 });
}, 10);
