// What a framework test app's page observes, counted the same way with or without faultline: `error` events
// on window and console.error calls.
window.seen = { errorEvents: 0, consoleErrors: 0 };
addEventListener('error', () => window.seen.errorEvents++);
const consoleError = console.error;
console.error = (...args) => {
  window.seen.consoleErrors++;
  consoleError.apply(console, args);
};
