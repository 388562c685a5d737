// Replacing one of the page's functions (fetch, History#pushState, console.error, XMLHttpRequest#open/send)
// by one the page cannot tell from it. A Proxy of the original, not a wrapper function: name, length, own
// properties, prototype, "not a constructor" and the property's descriptor stay the original's, and the
// Function.prototype.toString hook below gives its source text ("function fetch() { [native code] }"), which
// a Proxy alone prints without the name. Checked by test/browser/page-parity.e2e.test.ts. What is left: a
// frame of the agent's script in the stack of an error created inside a hooked call, and the proxy seen
// through another realm's Function.prototype.toString (an iframe's).

type Fn = (...args: any[]) => any;

/** Hook → original, for Function.prototype.toString. */
const originals = new WeakMap<object, Fn>();
let toStringHooked = false;

/**
 * Replaces `owner[key]` with a Proxy whose calls go to `around(original, this, args)` (the Proxy's apply trap
 * itself: one frame, not two). Throws if the property cannot be written (a page that froze it): the caller
 * decides what that costs.
 */
export function hook<F extends Fn>(
  owner: object,
  key: string,
  around: (original: F, self: unknown, args: Parameters<F>) => ReturnType<F>,
): void {
  const slot = owner as Record<string, unknown>;
  const original = slot[key];
  if (typeof original !== 'function') return;
  if (!toStringHooked) hookToString();
  const proxy = new Proxy(original as F, { apply: around as ProxyHandler<F>['apply'] });
  slot[key] = proxy; // an assignment keeps the property's attributes
  originals.set(proxy, original as Fn);
}

function hookToString(): void {
  toStringHooked = true;
  const nativeToString = Function.prototype.toString;
  const proxy = new Proxy(nativeToString, {
    apply: (target, self, args) => Reflect.apply(target, originals.get(self as object) ?? self, args),
  });
  originals.set(proxy, nativeToString);
  try {
    Function.prototype.toString = proxy;
  } catch {
    // frozen: hooked functions print as "function () { [native code] }"
  }
}
