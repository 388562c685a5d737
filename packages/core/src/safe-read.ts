// Reading properties of thrown values without running the thrower's code. A thrown value is hostile
// input: its getters, `toString` and `Symbol.toPrimitive` may throw or never return, and it may be a
// revoked Proxy. Only own data properties and engine-native getters are read; everything else is
// treated as absent. Every read is wrapped: a throw means "absent", never a failed report.

const fnToString = Function.prototype.toString;
const MAX_PROTO_DEPTH = 8;

/** Reads `key` from `value` or its prototypes without calling user-defined getters. */
export function safeGet(value: unknown, key: PropertyKey): unknown {
  if (!isObjectLike(value)) return undefined;
  try {
    let holder: object | null = value;
    for (let depth = 0; holder !== null && depth < MAX_PROTO_DEPTH; depth++) {
      const desc = Object.getOwnPropertyDescriptor(holder, key);
      if (desc) {
        if ('value' in desc) return desc.value;
        return desc.get && isTrustedGetter(desc.get, holder) ? desc.get.call(value) : undefined;
      }
      holder = Object.getPrototypeOf(holder);
    }
  } catch {
    // Revoked proxy, throwing trap or getter: treated as absent.
  }
  return undefined;
}

/** An own data property of `value` (no prototype walk, no getter): what libraries set on an error instance. */
export function safeOwn(value: unknown, key: PropertyKey): unknown {
  if (!isObjectLike(value)) return undefined;
  try {
    const desc = Object.getOwnPropertyDescriptor(value, key);
    return desc && 'value' in desc ? desc.value : undefined;
  } catch {
    return undefined; // revoked proxy, throwing trap
  }
}

/** safeGet narrowed to strings. */
export function safeString(value: unknown, key: PropertyKey): string | undefined {
  const v = safeGet(value, key);
  return typeof v === 'string' ? v : undefined;
}

/** Own enumerable string keys, or [] when they cannot be listed (revoked proxy, hostile ownKeys trap). */
export function safeKeys(value: object, max: number): string[] {
  try {
    const keys = Object.keys(value);
    return keys.length > max ? keys.slice(0, max) : keys;
  } catch {
    return [];
  }
}

/** The constructor name from the prototype chain (`TypeError`, `MyError`, `Object`), if readable. */
export function constructorName(value: unknown): string | undefined {
  const ctor = safeGet(value, 'constructor');
  if (typeof ctor !== 'function') return undefined;
  const name = safeGet(ctor, 'name');
  return typeof name === 'string' && name !== '' ? name : undefined;
}

export function isObjectLike(value: unknown): value is object {
  return (typeof value === 'object' && value !== null) || typeof value === 'function';
}

/**
 * A getter is trusted when the engine implements it (DOMException.prototype.message, Firefox's
 * Error.prototype.stack) or it sits on a built-in error prototype of the runtime (Node's DOMException
 * is written in JavaScript). A user-written getter is never called: it could hang.
 */
function isTrustedGetter(getter: (...args: unknown[]) => unknown, holder: object): boolean {
  const domException = (globalThis as { DOMException?: { prototype: object } }).DOMException;
  if (domException && holder === domException.prototype) return true;
  // The same few getters (V8's `stack` accessor above all) come back with every error: decided once.
  let trusted = trustedGetters.get(getter);
  if (trusted === undefined) {
    const source = fnToString.call(getter);
    // Bound functions also print "[native code]"; they wrap user code.
    trusted = source.endsWith('{ [native code] }') && !String(safeOwn(getter, 'name')).startsWith('bound ');
    trustedGetters.set(getter, trusted);
  }
  return trusted;
}

const trustedGetters = new WeakMap<object, boolean>();
