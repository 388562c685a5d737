// Captures every shared classification vector (packages/core/classification/vectors.json) as a handled
// error, with a rule of the app's own for one code, then crashes on a refused connection: the crash is fatal.
const faultline = require(process.env.FAULTLINE_NODE_PACKAGE);
const { vectors } = require('../../../packages/core/classification/vectors.json');

(async () => {
  const { makeError } = await import('../../../packages/core/classification/make-error.mjs');
  // 65 reports in a moment: above the default burst of 25, so the rateLimit option must reach the reporter.
  faultline.init({
    rateLimit: { burst: 200 },
    classify: [{ when: { code: ['card_declined'] }, category: 'validation', severity: 'info' }],
  });
  for (const vector of vectors) faultline.captureException(makeError(vector), { mechanism: vector.name });
  faultline.captureException(Object.assign(new Error('the card was declined'), { code: 'card_declined' }));
  setTimeout(() => {
    throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432 (the crash)'), { code: 'ECONNREFUSED' });
  }, 200);
})();
