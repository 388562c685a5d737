// Calls the agent's API with hostile arguments (throwing getters and proxy traps), then crashes: nothing may
// throw back into the app, and the reports keep every usable part.
const faultline = require(process.env.FAULTLINE_NODE_PACKAGE);

const trap = () => {
  throw new Error('trap');
};
const hostile = new Proxy({}, { get: trap, ownKeys: trap, getOwnPropertyDescriptor: trap });
const threw = [];
for (const [name, call] of [
  ['init', () => faultline.init(hostile)],
  ['init(42)', () => faultline.init(42)],
  ['setUser', () => faultline.setUser(hostile)],
  ['setContext', () => faultline.setContext('cart', hostile)],
  ['setContext without a name', () => faultline.setContext(hostile, { a: 1 })],
  ['setTag', () => faultline.setTag(hostile, hostile)],
  ['captureException', () => faultline.captureException(new Error('handled, with a hostile context'), hostile)],
]) {
  try {
    call();
  } catch (err) {
    threw.push(`${name}: ${err.message}`);
  }
}
faultline.setUser({ id: 7, email: { toString: trap } });
faultline.setContext('cart', {
  items: 2,
  get coupon() {
    return trap();
  },
});
faultline.setTag('tier', 'gold');
setTimeout(() => {
  throw new TypeError(`hostile api: ${threw.join('; ') || 'none threw'}`);
}, 50);
